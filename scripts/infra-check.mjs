#!/usr/bin/env node
// npm run infra:check — compiles and lints the Bicep in infra/ with a pinned Bicep CLI and fails on
// any diagnostic (error or warning), then checks that main.parameters.json only sets parameters
// that main.bicep declares.
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
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const BICEP_VERSION = '0.49.2';
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
  const files = countBicepFiles();
  console.log(
    `infra:check: OK — Bicep ${BICEP_VERSION}${installed ? ' (installed)' : ''}, built infra/main.bicep and linted ${files} file(s): 0 errors, 0 warnings; main.parameters.json and azure.yaml match (${seconds()}s)`,
  );
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
