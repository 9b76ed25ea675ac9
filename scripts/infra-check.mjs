#!/usr/bin/env node
// npm run infra:check — compiles and lints the Bicep in infra/ with a pinned Bicep CLI and fails on
// any diagnostic (error or warning), checks that main.parameters.json only sets parameters that
// main.bicep declares, then evaluates the template offline with two parameter sets (vnetEnabled
// false, and vnetEnabled true with Entra ID authentication) and checks the resources it would ask
// Azure for.
//
// The evaluation is `bicep snapshot`: the CLI expands the template and its modules with the given
// parameters, as ARM would, into the list of resources a deployment would create, without
// contacting Azure. Values only Azure knows (reference(), environment()) stay unevaluated
// expressions. What it cannot show: whether Azure accepts those resources (API validation, policy,
// quotas, region support, Flex Consumption support for authsettingsV2 or diagnostic settings), and
// how the app behaves behind them (private DNS, deployments to a storage account without public
// access, Easy Auth). Nothing here has been deployed.
//
// The Bicep CLI comes from the NuGet package Azure.Bicep.CommandLine.linux-x64, restored through the
// .NET SDK (so it uses the NuGet sources configured on the machine) into .tools/bicep/<version>/
// (git-ignored). A present binary of the pinned version is reused. Set BICEP_BIN to use another
// Bicep CLI of the same version (for example on a platform other than linux-x64).
//
// Nothing here contacts Azure: builds run with --no-restore and the infra uses no registry modules.

import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const BICEP_VERSION = '0.49.2';
// Placeholder identities of the offline evaluation: no tenant, subscription or principal is real.
const SNAPSHOT_TENANT = '33333333-3333-3333-3333-333333333333';
const SNAPSHOT_SUBSCRIPTION = '00000000-0000-0000-0000-000000000000';
const SNAPSHOT_CLIENT_ID = '22222222-2222-2222-2222-222222222222';
const NUGET_PACKAGE = 'Azure.Bicep.CommandLine.linux-x64';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const infraDir = join(root, 'infra');
const mainBicep = join(infraDir, 'main.bicep');
const mainParameters = join(infraDir, 'main.parameters.json');
const toolDir = join(root, '.tools', 'bicep', BICEP_VERSION);
const started = Date.now();

function fail(message) {
  console.error(`infra:check: FAILED — ${message} (${seconds()}s)`);
  process.exit(1);
}

function seconds() {
  return ((Date.now() - started) / 1000).toFixed(1);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    ...options,
    env: {
      ...process.env,
      DOTNET_CLI_TELEMETRY_OPTOUT: '1',
      DOTNET_NOLOGO: '1',
      DOTNET_SKIP_FIRST_TIME_EXPERIENCE: '1',
      ...options.env,
    },
  });
  if (result.error) {
    fail(`cannot run ${command}: ${result.error.message}`);
  }
  return result;
}

function bicepVersionOf(bin) {
  if (!existsSync(bin)) return undefined;
  const result = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) return undefined;
  const match = /Bicep CLI version (\S+)/.exec(result.stdout);
  return match ? match[1] : undefined;
}

function installBicep() {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    fail(
      `the pinned Bicep CLI package is for linux-x64; on ${process.platform}-${process.arch} set BICEP_BIN to a Bicep CLI ${BICEP_VERSION}`,
    );
  }
  const bin = join(toolDir, 'bicep');
  if (bicepVersionOf(bin) === BICEP_VERSION) {
    return { bin, installed: false };
  }

  const sdk = run('dotnet', ['--version']);
  const sdkMajor = /^(\d+)\./.exec(sdk.stdout.trim())?.[1];
  if (sdk.status !== 0 || !sdkMajor) {
    fail(
      `the .NET SDK is needed to restore ${NUGET_PACKAGE} (dotnet --version: ${(sdk.stderr || sdk.stdout).trim()})`,
    );
  }

  // A throwaway project whose only job is to download the package: PackageDownload restores it
  // without referencing it, into a package folder of our own.
  const work = mkdtempSync(join(tmpdir(), 'bicep-restore-'));
  try {
    writeFileSync(
      join(work, 'bicep-download.csproj'),
      `<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net${sdkMajor}.0</TargetFramework>
  </PropertyGroup>
  <ItemGroup>
    <PackageDownload Include="${NUGET_PACKAGE}" Version="[${BICEP_VERSION}]" />
  </ItemGroup>
</Project>
`,
    );
    const packages = join(work, 'packages');
    console.log(`infra:check: restoring ${NUGET_PACKAGE} ${BICEP_VERSION} from NuGet…`);
    const restore = run(
      'dotnet',
      ['restore', join(work, 'bicep-download.csproj'), '--packages', packages],
      { cwd: work },
    );
    if (restore.status !== 0) {
      process.stderr.write(restore.stdout + restore.stderr);
      fail(`dotnet restore of ${NUGET_PACKAGE} ${BICEP_VERSION} failed`);
    }
    const packaged = join(packages, NUGET_PACKAGE.toLowerCase(), BICEP_VERSION, 'tools', 'bicep');
    if (!existsSync(packaged)) {
      fail(`${NUGET_PACKAGE} ${BICEP_VERSION} has no tools/bicep`);
    }
    mkdirSync(toolDir, { recursive: true });
    const partial = `${bin}.partial`;
    copyFileSync(packaged, partial);
    chmodSync(partial, 0o755);
    renameSync(partial, bin);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  const version = bicepVersionOf(bin);
  if (version !== BICEP_VERSION) {
    fail(`installed Bicep CLI reports version ${version ?? '(none)'}, expected ${BICEP_VERSION}`);
  }
  return { bin, installed: true };
}

// Bicep prints diagnostics as `<file>(<line>,<col>) : <Level> <code>: <message>`; exit code 0 even
// with warnings, so every diagnostic line is collected and counted here.
const DIAGNOSTIC = /^(.+)\((\d+),(\d+)\) : (Error|Warning|Info) ([^:]+): (.*)$/;

function bicep(bin, args) {
  const result = run(bin, args, { cwd: root });
  const diagnostics = [];
  const other = [];
  for (const line of `${result.stdout}\n${result.stderr}`.split('\n')) {
    if (!line.trim()) continue;
    const match = DIAGNOSTIC.exec(line.trim());
    if (match) {
      diagnostics.push({
        file: relative(root, match[1]),
        line: match[2],
        column: match[3],
        level: match[4],
        code: match[5],
        message: match[6],
      });
    } else {
      other.push(line);
    }
  }
  return { status: result.status, diagnostics, other };
}

function main() {
  if (!existsSync(mainBicep)) fail('infra/main.bicep not found');

  let bin = process.env.BICEP_BIN;
  let installed = false;
  if (bin) {
    const version = bicepVersionOf(bin);
    if (version !== BICEP_VERSION)
      fail(`BICEP_BIN reports version ${version ?? '(none)'}, expected ${BICEP_VERSION}`);
  } else {
    ({ bin, installed } = installBicep());
  }

  const out = mkdtempSync(join(tmpdir(), 'bicep-build-'));
  const seen = new Map();
  const evaluated = [];
  const snapshotProblems = [];
  let failedCommand;
  try {
    const steps = [
      ['build', mainBicep, '--no-restore', '--outfile', join(out, 'main.json')],
      ['lint', '--no-restore', '--pattern', 'infra/**/*.bicep'],
    ];
    for (const args of steps) {
      const { status, diagnostics, other } = bicep(bin, args);
      for (const d of diagnostics) {
        // lint --pattern reports a module's diagnostics once per file that reaches it.
        seen.set(`${d.file}:${d.line}:${d.column}:${d.code}`, d);
      }
      if (status !== 0 && !failedCommand) {
        failedCommand = `bicep ${args[0]} exited with ${status}`;
        for (const line of other) console.error(line);
      }
    }

    if (!failedCommand && seen.size === 0) {
      checkParameters(join(out, 'main.json'));
      for (const set of PARAMETER_SETS) {
        const { status, diagnostics, other, snapshot } = runSnapshot(bin, out, set);
        for (const d of diagnostics) seen.set(`${d.file}:${d.line}:${d.column}:${d.code}`, d);
        if (status !== 0 || !snapshot) {
          failedCommand = `bicep snapshot (${set.label}) exited with ${status}`;
          for (const line of other) console.error(line);
          break;
        }
        const resources = snapshot.predictedResources ?? [];
        const problems = [];
        set.expect(resources, (ok, message) => {
          if (!ok) problems.push(message);
        });
        if (problems.length) {
          snapshotProblems.push(...problems.map((p) => `${set.label}: ${p}`));
        }
        evaluated.push(`${set.label} (${resources.length} resources)`);
      }
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }

  for (const d of seen.values()) {
    console.error(`${d.file}(${d.line},${d.column}): ${d.level} ${d.code}: ${d.message}`);
  }
  const errors = [...seen.values()].filter((d) => d.level === 'Error').length;
  const warnings = seen.size - errors;
  if (failedCommand || seen.size > 0) {
    fail(
      `${errors} error(s), ${warnings} warning(s)/info(s)${failedCommand ? `; ${failedCommand}` : ''} (warnings count as failures)`,
    );
  }
  if (snapshotProblems.length) {
    for (const problem of snapshotProblems) console.error(`  ${problem}`);
    fail(`the offline evaluation found ${snapshotProblems.length} unexpected resource setting(s)`);
  }
  const files = countBicepFiles();
  console.log(
    `infra:check: OK — Bicep ${BICEP_VERSION}${installed ? ' (installed)' : ''}, built infra/main.bicep and linted ${files} file(s): 0 errors, 0 warnings; main.parameters.json and azure.yaml match; evaluated offline (bicep snapshot, nothing deployed) as expected: ${evaluated.join(', ')} (${seconds()}s)`,
  );
}

// The parameter sets of the offline evaluation, and what each must produce.
const PARAMETER_SETS = [
  {
    name: 'vnet-off',
    label: 'vnetEnabled=false',
    params: { environmentName: 'infra-check', location: 'eastus' },
    expect: (resources, expect) => {
      expectCommon(resources, expect);
      const storage = one(resources, 'Microsoft.Storage/storageAccounts', expect);
      expect(
        storage?.properties?.publicNetworkAccess === 'Enabled',
        'storage publicNetworkAccess is not Enabled',
      );
      expect(
        storage?.properties?.networkAcls?.defaultAction === 'Allow',
        'storage networkAcls.defaultAction is not Allow',
      );
      const network = resources.filter((r) => r.type.startsWith('Microsoft.Network/'));
      expect(
        network.length === 0,
        `network resources without the VNet: ${network.map((r) => r.type)}`,
      );
      const site = one(resources, 'Microsoft.Web/sites', expect);
      expect(
        site?.properties?.virtualNetworkSubnetId == null,
        'the site has a virtualNetworkSubnetId',
      );
      expect(!authSettingsOf(resources), 'authsettingsV2 is written without entraAuthClientId');
    },
  },
  {
    name: 'vnet-on-entra',
    label: 'vnetEnabled=true with Entra ID',
    params: {
      environmentName: 'infra-check',
      location: 'eastus',
      vnetEnabled: true,
      principalId: '11111111-1111-1111-1111-111111111111',
      entraAuthClientId: SNAPSHOT_CLIENT_ID,
      entraAuthAllowedAudiences: 'api://jobs, ',
    },
    expect: (resources, expect) => {
      expectCommon(resources, expect);
      const storage = one(resources, 'Microsoft.Storage/storageAccounts', expect);
      expect(
        storage?.properties?.publicNetworkAccess === 'Disabled',
        'storage publicNetworkAccess is not Disabled',
      );
      expect(
        storage?.properties?.networkAcls?.defaultAction === 'Deny',
        'storage networkAcls.defaultAction is not Deny',
      );
      expectPrivateNetwork(resources, storage, expect);
      expectEntraAuth(resources, expect);
    },
  },
];

/** Settings that do not depend on the parameter set. */
function expectCommon(resources, expect) {
  const storage = one(resources, 'Microsoft.Storage/storageAccounts', expect);
  expect(
    storage?.properties?.networkAcls?.bypass === 'AzureServices',
    'storage networkAcls.bypass is not AzureServices',
  );
  expect(storage?.properties?.allowSharedKeyAccess === false, 'storage allows shared keys');
  const blob = one(resources, 'Microsoft.Storage/storageAccounts/blobServices', expect);
  for (const policy of ['deleteRetentionPolicy', 'containerDeleteRetentionPolicy']) {
    const p = blob?.properties?.[policy];
    expect(
      p?.enabled === true && p?.days === 7,
      `blob service ${policy} is not enabled for 7 days`,
    );
  }
  expect(
    one(resources, 'Microsoft.Storage/storageAccounts/managementPolicies', expect) !== undefined,
    'the lifecycle rule is gone',
  );
  const workspace = one(resources, 'Microsoft.OperationalInsights/workspaces', expect);
  expect(
    workspace?.properties?.features?.disableLocalAuth === true,
    'Log Analytics allows local auth',
  );
  const insights = one(resources, 'Microsoft.Insights/components', expect);
  expect(insights?.properties?.DisableLocalAuth === true, 'Application Insights allows local auth');

  const settings = resources.filter((r) => r.type === 'Microsoft.Insights/diagnosticSettings');
  const settingOn = (scopeId) =>
    settings.find((r) => r.id.toLowerCase().startsWith(`${scopeId}/providers/`.toLowerCase()));
  const site = one(resources, 'Microsoft.Web/sites', expect);
  const targets = [
    [site?.id, ['FunctionAppLogs']],
    [storage?.id, []],
    ...['blob', 'queue', 'table'].map((service) => [
      `${storage?.id}/${service}Services/default`,
      ['StorageRead', 'StorageWrite', 'StorageDelete'],
    ]),
  ];
  for (const [scopeId, categories] of targets) {
    const setting = settingOn(scopeId);
    expect(setting, `no diagnostic setting on ${scopeId}`);
    if (!setting) continue;
    expect(
      setting.properties?.workspaceId === workspace?.id,
      `the diagnostic setting on ${scopeId} does not send to the workspace`,
    );
    const logs = (setting.properties?.logs ?? []).filter((l) => l.enabled).map((l) => l.category);
    for (const category of categories) {
      expect(logs.includes(category), `the diagnostic setting on ${scopeId} lacks ${category}`);
    }
    expect(
      (setting.properties?.metrics ?? []).some((m) => m.enabled),
      `the diagnostic setting on ${scopeId} sends no metrics`,
    );
  }
}

/** The VNet, its delegated app subnet, and a private endpoint, zone, link and record per service. */
function expectPrivateNetwork(resources, storage, expect) {
  const vnet = one(resources, 'Microsoft.Network/virtualNetworks', expect);
  const subnets = vnet?.properties?.subnets ?? [];
  const appSubnet = subnets.find((s) =>
    (s.properties?.delegations ?? []).some(
      (d) => d.properties?.serviceName === 'Microsoft.App/environments',
    ),
  );
  expect(appSubnet, 'no subnet delegated to Microsoft.App/environments');
  const site = one(resources, 'Microsoft.Web/sites', expect);
  expect(
    appSubnet &&
      site?.properties?.virtualNetworkSubnetId === `${vnet.id}/subnets/${appSubnet.name}`,
    'the site is not integrated with the delegated subnet',
  );
  const endpointSubnets = subnets
    .filter((s) => s !== appSubnet)
    .map((s) => `${vnet?.id}/subnets/${s.name}`);
  for (const service of ['blob', 'queue', 'table']) {
    const endpoint = resources.find(
      (r) =>
        r.type === 'Microsoft.Network/privateEndpoints' &&
        (r.properties?.privateLinkServiceConnections ?? []).some(
          (c) =>
            c.properties?.privateLinkServiceId === storage?.id &&
            c.properties?.groupIds?.length === 1 &&
            c.properties.groupIds[0] === service,
        ),
    );
    expect(endpoint, `no private endpoint for the storage account's ${service} service`);
    expect(
      endpoint && endpointSubnets.includes(endpoint.properties?.subnet?.id),
      `the ${service} private endpoint is not in the VNet's endpoint subnet`,
    );
    // privatelink.<service>.core.windows.net; the snapshot leaves environment() unevaluated.
    const zone = resources.find(
      (r) =>
        r.type === 'Microsoft.Network/privateDnsZones' &&
        (r.name === `privatelink.${service}.core.windows.net` ||
          (r.name.includes('privatelink') &&
            r.name.includes(`'${service}'`) &&
            r.name.includes('environment().suffixes.storage'))),
    );
    expect(zone, `no private DNS zone privatelink.${service}.core.windows.net`);
    if (!zone) continue;
    const zoneName = zone.name.startsWith('[') ? zone.name.slice(1, -1) : zone.name;
    const link = resources.find(
      (r) =>
        r.type === 'Microsoft.Network/privateDnsZones/virtualNetworkLinks' &&
        r.name.includes(zoneName) &&
        r.properties?.virtualNetwork?.id === vnet?.id,
    );
    expect(link, `the ${service} DNS zone is not linked to the VNet`);
    expect(
      link?.properties?.registrationEnabled === false,
      `the ${service} zone link registers VMs`,
    );
    const group = resources.find(
      (r) =>
        r.type === 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups' &&
        endpoint &&
        r.id.startsWith(`${endpoint.id}/`) &&
        (r.properties?.privateDnsZoneConfigs ?? []).some((c) =>
          c.properties?.privateDnsZoneId?.includes(zoneName),
        ),
    );
    expect(group, `the ${service} private endpoint has no DNS zone group for its zone`);
  }
}

function authSettingsOf(resources) {
  return resources.find(
    (r) => r.type === 'Microsoft.Web/sites/config' && r.name.endsWith('/authsettingsV2'),
  );
}

/** Easy Auth: a token required on every route but the Durable extension's webhooks. */
function expectEntraAuth(resources, expect) {
  const auth = authSettingsOf(resources)?.properties;
  expect(auth?.platform?.enabled === true, 'authsettingsV2 is not enabled');
  const validation = auth?.globalValidation;
  expect(validation?.requireAuthentication === true, 'authentication is not required');
  expect(
    validation?.unauthenticatedClientAction === 'Return401',
    'unauthenticated callers do not get 401',
  );
  expect(
    validation?.excludedPaths?.includes('/runtime/webhooks/durabletask/*'),
    "the Durable extension's webhooks are not excluded",
  );
  const aad = auth?.identityProviders?.azureActiveDirectory;
  expect(aad?.enabled === true, 'the Entra ID provider is not enabled');
  expect(aad?.registration?.clientId === SNAPSHOT_CLIENT_ID, 'wrong client ID');
  const issuer = aad?.registration?.openIdIssuer ?? '';
  expect(
    issuer === `https://login.microsoftonline.com/${SNAPSHOT_TENANT}/v2.0` ||
      (issuer.includes('environment().authentication.loginEndpoint') &&
        issuer.includes(SNAPSHOT_TENANT) &&
        issuer.includes('/v2.0')),
    `the issuer is not the deployment tenant's v2.0 endpoint: ${issuer}`,
  );
  const audiences = aad?.validation?.allowedAudiences ?? [];
  for (const audience of [SNAPSHOT_CLIENT_ID, `api://${SNAPSHOT_CLIENT_ID}`, 'api://jobs']) {
    expect(audiences.includes(audience), `audience ${audience} is not allowed`);
  }
  expect(audiences.length === 3, `unexpected audiences: ${audiences.join(', ')}`);
}

function one(resources, type, expect) {
  const found = resources.filter((r) => r.type === type);
  expect(found.length === 1, `${found.length} resources of type ${type}, expected 1`);
  return found[0];
}

function bicepLiteral(value) {
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  return String(value);
}

/** Writes the set as a .bicepparam next to nothing else and runs `bicep snapshot` on it. */
function runSnapshot(bin, out, set) {
  const file = join(out, `${set.name}.bicepparam`);
  const using = relative(out, mainBicep).split(sep).join('/');
  const lines = [`using '${using}'`, ''];
  for (const [name, value] of Object.entries(set.params)) {
    lines.push(`param ${name} = ${bicepLiteral(value)}`);
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
  const result = bicep(bin, [
    'snapshot',
    file,
    '--mode',
    'overwrite',
    '--config',
    join(infraDir, 'bicepconfig.json'),
    '--tenant-id',
    SNAPSHOT_TENANT,
    '--subscription-id',
    SNAPSHOT_SUBSCRIPTION,
    '--location',
    set.params.location,
  ]);
  const snapshotFile = join(out, `${set.name}.snapshot.json`);
  const snapshot = existsSync(snapshotFile)
    ? JSON.parse(readFileSync(snapshotFile, 'utf8'))
    : undefined;
  return { ...result, snapshot };
}

function checkParameters(compiledTemplate) {
  const template = JSON.parse(readFileSync(compiledTemplate, 'utf8'));
  checkServiceTags(template);
  const declared = template.parameters ?? {};
  let parameters;
  try {
    parameters = JSON.parse(readFileSync(mainParameters, 'utf8')).parameters ?? {};
  } catch (error) {
    fail(`infra/main.parameters.json: ${error.message}`);
  }
  const unknown = Object.keys(parameters).filter((name) => !(name in declared));
  if (unknown.length)
    fail(
      `infra/main.parameters.json sets parameters main.bicep does not declare: ${unknown.join(', ')}`,
    );
  const missing = Object.entries(declared)
    // A nullable parameter without a default is optional (azd does not prompt for it).
    .filter(([name, p]) => !('defaultValue' in p) && p.nullable !== true && !(name in parameters))
    .map(([name]) => name);
  if (missing.length)
    fail(`infra/main.parameters.json lacks required parameters: ${missing.join(', ')}`);
}

// azd deploys each azure.yaml service to the resource tagged azd-service-name: <service>.
function checkServiceTags(template) {
  const azureYaml = join(root, 'azure.yaml');
  if (!existsSync(azureYaml)) fail('azure.yaml not found');
  const services = [];
  let inServices = false;
  for (const line of readFileSync(azureYaml, 'utf8').split(/\r?\n/)) {
    if (/^\S/.test(line)) inServices = /^services:\s*$/.test(line);
    else if (inServices) {
      const key = /^ {2}([A-Za-z0-9_-]+):\s*$/.exec(line);
      if (key) services.push(key[1]);
    }
  }
  // Bicep compiles a literal tag to "azd-service-name": "x", or inside union() to createObject(...).
  const text = JSON.stringify(template, null, 1);
  const tagged = new Set(
    [...text.matchAll(/azd-service-name(?:"\s*:\s*"|',\s*')([A-Za-z0-9_-]+)/g)].map((m) => m[1]),
  );
  const untagged = services.filter((name) => !tagged.has(name));
  if (!services.length) fail('azure.yaml declares no services');
  if (untagged.length) {
    fail(
      `no resource in infra is tagged azd-service-name for azure.yaml service(s): ${untagged.join(', ')}`,
    );
  }
}

function countBicepFiles() {
  const result = spawnSync(
    'git',
    ['ls-files', '--cached', '--others', '--exclude-standard', 'infra/*.bicep', 'infra/**/*.bicep'],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  return result.status === 0 ? new Set(result.stdout.split('\n').filter(Boolean)).size : '?';
}

main();
