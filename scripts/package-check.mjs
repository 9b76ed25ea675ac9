#!/usr/bin/env node
// npm run package:check — replays what `azd package` / `azd up` does to each function service of
// azure.yaml, in a temporary copy of the project, then loads the resulting package on its own.
//
// The steps mirror azd 1.31.2 (Azure/azure-dev tag cli/azd/v1.31.2, commit 3440050):
// serviceManager.Package (pkg/project/service_manager.go) restores first, because the Node
// framework requires it (framework_service_node.go Requirements: RequireRestore) — prerestore hooks,
// `npm install --no-audit --no-fund --prefer-offline` unless node_modules is newer than the lockfile,
// postrestore hooks — then runs the `package` event: prepackage hooks, `npm run build --if-present`
// in the service folder, the package folder is the service folder or its `dist`, which is zipped
// filtered by that folder's .funcignore (project_utils.go createDeployableZip: `.azure` folders,
// the ignore file itself and local.settings.json always left out; without an ignore file,
// node_modules only with `remoteBuild: false`), then postpackage hooks. A failing step ends the
// run there, as in azd (postpackage does not run). Inline hooks run as azd's bash executor runs
// them: `#!/bin/sh` + `set -e` + the script, in the service folder. Project-level
// prepackage/postpackage hooks run around the whole package command.
//
// Then it checks the package: it holds no TypeScript sources, tests, tools, bench, scripts or dev
// dependencies (by the lockfile's `dev` flags and the package.json lists); it loads from its own
// folder, with its own node_modules — a child `node` in that folder, NODE_PATH and NODE_OPTIONS
// unset, with only the `@azure/functions-core` stand-in (tools/functions-core, compiled here)
// injected from outside — and registers exactly the functions that src/functions registers; and
// the hooks left the working copy as they found it (files unchanged, dev dependencies installed).
// It prints the package's size. POSIX shells only (azd's `posix` hooks).

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateRawSync } from 'node:zlib';
import ignore from 'ignore';
import { parse as parseYaml } from 'yaml';

const AZD_MIRRORED = 'azd 1.31.2 (Azure/azure-dev cli/azd/v1.31.2, 3440050)';
const fresh = process.argv.includes('--fresh');
const STEP_TIMEOUT_MS = 10 * 60 * 1000;
// Development tools that must never ship, whatever package.json says.
const KNOWN_DEV_TOOLS = ['typescript', 'jest', 'ts-jest', 'azurite', 'eslint', 'prettier'];
// Project folders that are never part of the app.
const NOT_SHIPPED_DIRS = [
  'src',
  'test',
  'tools',
  'bench',
  'scripts',
  'infra',
  'docs',
  'coverage',
  'test-results',
  '.tools',
  '.ci',
  '.azure',
  'dist/tools',
  'dist/bench',
  'dist/test',
];
const NOT_SHIPPED_FILE =
  /(^|\/)(tsconfig[^/]*\.json|jest\.config\.[cm]?js|eslint\.config\.[cm]?js|\.prettierrc[^/]*|local\.settings\.json|\.funcignore|azure\.yaml)$/;

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const started = Date.now();
const seconds = () => ((Date.now() - started) / 1000).toFixed(1);

class CheckFailure extends Error {}
const fail = (message) => {
  throw new CheckFailure(message);
};
const log = (message) => console.log(`package:check: [${seconds().padStart(5)}s] ${message}`);

// The environment of a shell, for child processes: without what `npm run` injected for this
// script (the package, the lifecycle, the local prefix, which would point nested npm commands at
// this project) and without module search paths. The user's npm configuration stays.
const INJECTED =
  /^(npm_(lifecycle_|package_)|npm_(command|execpath|node_execpath|config_local_prefix)$|INIT_CWD$|NODE_PATH$|NODE_OPTIONS$)/i;
function childEnv(extra = {}) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!INJECTED.test(key)) env[key] = value;
  }
  // `npm run` also put this project's node_modules/.bin (and its ancestors') on PATH.
  const pathKey = Object.keys(env).find((k) => k.toUpperCase() === 'PATH') ?? 'PATH';
  env[pathKey] = (env[pathKey] ?? '')
    .split(delimiter)
    .filter((p) => !/node_modules[\\/]\.bin$|node-gyp-bin$/.test(p))
    .join(delimiter);
  return { ...env, ...extra };
}

function run(label, command, args, options = {}) {
  const begun = Date.now();
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: STEP_TIMEOUT_MS,
    env: childEnv(options.env),
    cwd: options.cwd,
  });
  const took = ((Date.now() - begun) / 1000).toFixed(1);
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.error || result.status !== 0) {
    const tail = output.trim().split('\n').slice(-25).join('\n');
    const why = result.error ? result.error.message : `exit code ${result.status}`;
    if (options.allowFailure) {
      log(`  ${label}: failed (${why}), continueOnError — going on`);
      return result;
    }
    fail(`${label} failed (${why}) after ${took}s:\n${tail}`);
  }
  if (!options.quiet) log(`  ${label} (${took}s)`);
  return result;
}

// ---- the temporary copy ---------------------------------------------------------------------

// What a fresh clone would hold, plus files not committed yet (but nothing git ignores).
function projectFiles() {
  const listed = spawnSync(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  if (listed.status !== 0) fail(`git ls-files failed: ${listed.stderr}`);
  return listed.stdout
    .split('\0')
    .filter(Boolean)
    .filter((f) => !/^(node_modules|dist|\.tools)(\/|$)/.test(f))
    .filter((f) => existsSync(join(root, f)) && lstatSync(join(root, f)).isFile());
}

// Timestamps kept: azd decides from them whether to run `npm install`.
function copyProject(files, destination) {
  for (const file of files) {
    mkdirSync(dirname(join(destination, file)), { recursive: true });
    copyFileSync(join(root, file), join(destination, file));
    const { atime, mtime } = statSync(join(root, file));
    utimesSync(join(destination, file), atime, mtime);
  }
}

// azd's node.IsDependenciesUpToDate for npm: node_modules/.package-lock.json no older than
// package-lock.json.
function dependenciesUpToDate(dir) {
  const lock = join(dir, 'package-lock.json');
  const marker = join(dir, 'node_modules', '.package-lock.json');
  return (
    existsSync(lock) && existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs
  );
}

// The project's own node_modules, copied (never linked: hooks may prune or reinstall it), so the
// copy starts where a developer's working copy is. Without it the restore step installs.
function seedNodeModules(destination) {
  const source = join(root, 'node_modules');
  if (!existsSync(source) || !dependenciesUpToDate(root)) return false;
  mkdirSync(join(destination, 'node_modules'));
  run('copy the project node_modules into the copy', 'cp', [
    '-a',
    `${realpathSync(source)}/.`,
    join(destination, 'node_modules'),
  ]);
  return true;
}

function fingerprint(dir, files) {
  const map = new Map();
  for (const file of files) {
    const path = join(dir, file);
    map.set(
      file,
      existsSync(path) ? createHash('sha1').update(readFileSync(path)).digest('hex') : '',
    );
  }
  return map;
}

// ---- azure.yaml hooks -------------------------------------------------------------------------

function hookConfigs(hooks, name) {
  const value = hooks?.[name];
  if (!value) return [];
  return (Array.isArray(value) ? value : [value]).map((config) => config.posix ?? config);
}

function runHooks(hooks, name, serviceDir, tmp) {
  for (const [index, config] of hookConfigs(hooks, name).entries()) {
    if (!config.run) fail(`${name} hook has no 'run'`);
    const kind = config.kind ?? config.shell;
    const cwd = config.dir ? resolve(serviceDir, config.dir) : serviceDir;
    const label = `hook ${name}${index ? ` #${index + 1}` : ''}: ${String(config.run).trim().split('\n').join(' ⏎ ')}`;
    const scriptPath = resolve(serviceDir, String(config.run).trim());
    const isFile =
      !/\n/.test(config.run) && existsSync(scriptPath) && statSync(scriptPath).isFile();
    let command;
    let args;
    if (isFile && /\.(c|m)?js$/.test(scriptPath)) {
      [command, args] = ['node', [scriptPath]];
    } else if (isFile && (/\.sh$/.test(scriptPath) || kind === 'sh' || kind === 'bash')) {
      [command, args] = ['sh', [scriptPath]];
    } else if (!isFile && (kind === undefined || kind === 'sh' || kind === 'bash')) {
      const file = join(tmp, `hook-${name}-${index}.sh`);
      writeFileSync(
        file,
        `#!/bin/sh\nset -e\n\n# Auto generated file from Azure Developer CLI\n${config.run}\n`,
      );
      [command, args] = ['sh', [file]];
    } else {
      fail(
        `${name} hook of kind '${kind ?? 'file'}' is not supported by this check (POSIX shell only)`,
      );
    }
    run(label, command, args, { cwd, allowFailure: config.continueOnError === true });
  }
}

// ---- azd's zip of the package folder, unpacked ----------------------------------------------

function stagePackage(service, packageDir, destination) {
  const ignoreFile = '.funcignore';
  const ignorePath = join(packageDir, ignoreFile);
  const matcher = existsSync(ignorePath)
    ? ignore().add(readFileSync(ignorePath, 'utf8').replace(/^\uFEFF/, ''))
    : undefined;
  const isNode = service.language === 'js' || service.language === 'ts';
  const stats = { files: 0, bytes: 0, zipped: 22 };

  const walk = (sourceDir, rel, out) => {
    for (const name of readdirSync(sourceDir).sort()) {
      const source = join(sourceDir, name);
      const entry = lstatSync(source);
      // rzip follows symbolic links (npm's node_modules/.bin holds some).
      const target = entry.isSymbolicLink() ? statSync(source) : entry;
      const isDir = target.isDirectory();
      const relPath = rel ? `${rel}/${name}` : name;
      if (name === '.azure' && isDir) continue;
      if (name === ignoreFile && !isDir) continue;
      if (name === 'local.settings.json' && !isDir) continue;
      if (matcher) {
        if (matcher.ignores(isDir ? `${relPath}/` : relPath)) continue;
      } else if (isNode && name === 'node_modules' && isDir && service.remoteBuild !== false) {
        continue;
      }
      const dest = join(out, name);
      if (isDir) {
        mkdirSync(dest, { recursive: true });
        walk(source, relPath, dest);
      } else {
        const content = readFileSync(source);
        writeFileSync(dest, content);
        stats.files += 1;
        stats.bytes += content.length;
        // Local header, data descriptor and central directory entry around the deflated data.
        stats.zipped +=
          deflateRawSync(content, { level: 6 }).length + 30 + 16 + 46 + 2 * relPath.length;
      }
    }
  };
  mkdirSync(destination, { recursive: true });
  walk(packageDir, '', destination);
  return {
    ...stats,
    ignoreFile: matcher ? `${ignoreFile} of the package folder` : 'no ignore file',
  };
}

// ---- checks on the unpacked package -----------------------------------------------------------

function listTree(dir, rel = '') {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const relPath = rel ? `${rel}/${name}` : name;
    if (statSync(path).isDirectory()) out.push({ relPath, dir: true }, ...listTree(path, relPath));
    else out.push({ relPath, dir: false, size: statSync(path).size });
  }
  return out;
}

function checkContents(extracted, entries, lock, pkg) {
  const problems = [];
  for (const required of ['host.json', 'package.json']) {
    if (!existsSync(join(extracted, required))) problems.push(`${required} is missing at the root`);
  }
  for (const dir of NOT_SHIPPED_DIRS) {
    if (existsSync(join(extracted, dir))) problems.push(`${dir}/ is inside`);
  }
  const appFiles = entries.filter((e) => !e.dir && !/(^|\/)node_modules\//.test(e.relPath));
  for (const e of appFiles) {
    if (/\.[cm]?ts$/.test(e.relPath)) problems.push(`TypeScript source ${e.relPath}`);
    if (/\.map$/.test(e.relPath)) problems.push(`source map ${e.relPath}`);
    if (NOT_SHIPPED_FILE.test(e.relPath)) problems.push(`${e.relPath} is inside`);
    if (/\.test\.[cm]?js$/.test(e.relPath)) problems.push(`test ${e.relPath}`);
  }
  for (const e of entries) {
    if (!e.dir && /\.[cm]?ts$/.test(e.relPath) && !/\.d\.[cm]?ts$/.test(e.relPath))
      if (/(^|\/)node_modules\//.test(e.relPath)) problems.push(`TypeScript source ${e.relPath}`);
  }

  // Installed packages: node_modules/<name> and node_modules/@scope/<name>, at any depth.
  const packages = entries
    .filter((e) => e.dir && /(^|\/)node_modules\/(@[^/]+\/)?[^/@][^/]*$/.test(e.relPath))
    .map((e) => e.relPath)
    .filter((p) => !/\/node_modules\/\.bin$|^node_modules\/\.bin$/.test(p));
  const devNames = new Set([
    ...Object.keys(pkg.devDependencies ?? {}),
    ...Object.keys(pkg.optionalDependencies ?? {}),
    ...KNOWN_DEV_TOOLS,
  ]);
  const prodNames = new Set(Object.keys(pkg.dependencies ?? {}));
  const dev = [];
  for (const path of packages) {
    const name = path.replace(/^.*node_modules\//, '');
    const entry = lock.packages?.[path];
    const devOnly =
      entry && (entry.dev === true || entry.devOptional === true || entry.optional === true);
    // A dev dependency of ours may also be a production dependency of a production package (the
    // lockfile then does not mark it dev): only a package the lockfile does not know is judged by
    // its name.
    const unknownDev = entry === undefined && devNames.has(name) && !prodNames.has(name);
    if (devOnly || unknownDev) dev.push(path);
  }
  if (dev.length) {
    const shown = dev.slice(0, 12).join(', ');
    problems.push(
      `${dev.length} development/optional package(s): ${shown}${dev.length > 12 ? ', …' : ''}`,
    );
  }
  for (const name of prodNames) {
    if (!existsSync(join(extracted, 'node_modules', name, 'package.json')))
      problems.push(`production dependency ${name} is missing from node_modules`);
  }
  return { problems, packages };
}

// ---- loading the app --------------------------------------------------------------------------

function compileExpected(copyDir, work) {
  const functionsDir = join(copyDir, 'src', 'functions');
  if (!existsSync(functionsDir)) fail('src/functions not found');
  const sources = readdirSync(functionsDir)
    .filter((f) => /\.ts$/.test(f) && !/\.test\.ts$/.test(f))
    .map((f) => join(functionsDir, f));
  if (!sources.length) fail('src/functions holds no .ts files');
  const out = join(work, 'out');
  mkdirSync(work, { recursive: true });
  // The stand-in is imported through its index only; tsc follows whatever that imports.
  const tsconfig = join(work, 'tsconfig.json');
  writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: join(copyDir, 'tsconfig.json'),
      compilerOptions: {
        outDir: out,
        rootDir: copyDir,
        sourceMap: false,
        noEmit: false,
        incremental: false,
        declaration: false,
      },
      files: [...sources, join(copyDir, 'tools', 'functions-core', 'index.ts')],
      include: [],
    }),
  );
  const tsc = join(copyDir, 'node_modules', 'typescript', 'bin', 'tsc');
  if (!existsSync(tsc)) fail('typescript is not installed in the copy (the hooks removed it?)');
  run(
    'compile src/functions and the functions-core stand-in (reference)',
    'node',
    [tsc, '-p', tsconfig],
    {
      cwd: copyDir,
    },
  );
  return {
    core: join(out, 'tools', 'functions-core', 'index.js'),
    coreDir: join(out, 'tools', 'functions-core'),
    modules: sources.map((s) =>
      join(out, 'src', 'functions', s.slice(functionsDir.length + 1).replace(/\.ts$/, '.js')),
    ),
    cwd: out,
  };
}

function probe(label, cwd, env) {
  const result = run(label, process.execPath, [join(root, 'scripts', 'package-probe.js')], {
    cwd,
    env,
  });
  const line = result.stdout.trim().split('\n').pop();
  try {
    return JSON.parse(line);
  } catch {
    fail(`${label}: unreadable probe output:\n${result.stdout}${result.stderr}`);
  }
}

// ---- main -------------------------------------------------------------------------------------

function mb(bytes) {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function checkService(name, service, project, tmp) {
  const copyDir = join(tmp, 'project');
  const serviceDir = resolve(copyDir, service.project ?? '.');
  const hooks = service.hooks ?? {};
  log(
    `service '${name}' (host: ${service.host}, language: ${service.language}, remoteBuild: ${service.remoteBuild ?? 'unset'}, dist: ${service.dist ?? 'unset'})`,
  );

  runHooks(project.hooks, 'prepackage', copyDir, tmp);
  runHooks(hooks, 'prerestore', serviceDir, tmp);
  if (dependenciesUpToDate(serviceDir)) {
    log('  restore: node_modules is up to date with package-lock.json, no npm install (as azd)');
  } else {
    run(
      'restore: npm install --no-audit --no-fund --prefer-offline',
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline'],
      { cwd: serviceDir },
    );
  }
  runHooks(hooks, 'postrestore', serviceDir, tmp);
  log('  fingerprinting the working copy');
  const tracked = projectFiles().filter((f) => existsSync(join(copyDir, f)));
  const before = fingerprint(copyDir, tracked);

  runHooks(hooks, 'prepackage', serviceDir, tmp);
  run('build: npm run build --if-present', 'npm', ['run', 'build', '--if-present'], {
    cwd: serviceDir,
  });
  const packageDir = service.dist ? join(serviceDir, service.dist) : serviceDir;
  if (!existsSync(packageDir) || readdirSync(packageDir).length === 0)
    fail(
      `package source '${relative(copyDir, packageDir) || '.'}' is empty or does not exist (azd stops here)`,
    );
  const extracted = join(tmp, 'package');
  const stats = stagePackage(service, packageDir, extracted);
  log(
    `  zip of ${relative(copyDir, packageDir) || '.'}/ filtered by ${stats.ignoreFile}: ${stats.files} files`,
  );
  runHooks(hooks, 'postpackage', serviceDir, tmp);
  runHooks(project.hooks, 'postpackage', copyDir, tmp);

  // The working copy after packaging.
  const after = fingerprint(copyDir, tracked);
  const changed = tracked.filter((f) => before.get(f) !== after.get(f));
  if (changed.length) fail(`packaging changed the working copy: ${changed.join(', ')}`);
  const pkg = JSON.parse(readFileSync(join(serviceDir, 'package.json'), 'utf8'));
  const uninstalled = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).filter(
    (dep) => !existsSync(join(serviceDir, 'node_modules', dep, 'package.json')),
  );
  if (uninstalled.length)
    fail(
      `packaging left the working copy without ${uninstalled.length} dependencies: ${uninstalled.join(', ')}`,
    );

  // What is inside.
  const lock = JSON.parse(readFileSync(join(serviceDir, 'package-lock.json'), 'utf8'));
  const entries = listTree(extracted);
  const { problems, packages } = checkContents(extracted, entries, lock, pkg);

  // What it registers, against what src/functions registers.
  // Inside the copy, so that the compiler and the reference load find its node_modules.
  const reference = compileExpected(copyDir, join(copyDir, '.package-check'));
  const expected = probe(
    'load src/functions with the project dependencies (reference)',
    reference.cwd,
    {
      PACKAGE_PROBE_CORE: reference.core,
      PACKAGE_PROBE_MODULES: JSON.stringify(reference.modules),
      PACKAGE_PROBE_ALLOWED: JSON.stringify([copyDir]),
    },
  );
  if (expected.errors.length) fail(`src/functions does not load:\n${expected.errors.join('\n')}`);
  if (!expected.functions.length) fail('src/functions registers no function');
  const loaded = probe('load the package from its own folder (package.json main)', extracted, {
    PACKAGE_PROBE_CORE: reference.core,
    PACKAGE_PROBE_ALLOWED: JSON.stringify([reference.coreDir]),
  });
  if (loaded.errors.length)
    problems.push(`the package does not load:\n${loaded.errors.join('\n')}`);
  if (loaded.outside.length)
    problems.push(`the package loaded files from outside itself: ${loaded.outside.join(', ')}`);
  const missing = expected.functions.filter((f) => !loaded.functions.includes(f));
  const extra = loaded.functions.filter((f) => !expected.functions.includes(f));
  if (missing.length)
    problems.push(`functions not registered by the package: ${missing.join(', ')}`);
  if (extra.length)
    problems.push(
      `functions registered by the package but not by src/functions: ${extra.join(', ')}`,
    );

  const nodeModulesBytes = entries
    .filter((e) => !e.dir && e.relPath.startsWith('node_modules/'))
    .reduce((sum, e) => sum + e.size, 0);
  log(
    `  size: ${stats.files} files, ${mb(stats.bytes)} unpacked (node_modules ${mb(nodeModulesBytes)}, ${packages.length} packages), zip ≈ ${mb(stats.zipped)}`,
  );
  log(
    `  registered (${loaded.functions.length}/${expected.functions.length}): ${loaded.functions.join(', ') || '(none)'}`,
  );
  if (problems.length)
    fail(`the package of service '${name}' is not right:\n  - ${problems.join('\n  - ')}`);
}

function main() {
  const project = parseYaml(readFileSync(join(root, 'azure.yaml'), 'utf8'));
  const services = Object.entries(project.services ?? {}).filter(([, s]) => s.host === 'function');
  if (!services.length) fail('azure.yaml declares no function service');
  for (const dir of ancestors(tmpdir())) {
    if (existsSync(join(dir, 'node_modules')))
      fail(
        `${join(dir, 'node_modules')} exists: the unpacked package could resolve modules from it`,
      );
  }

  const tmp = mkdtempSync(join(tmpdir(), 'package-check-'));
  const cleanup = () => {
    log('removing the temporary folder');
    // rm is quicker than fs.rmSync on a copied node_modules; fs.rmSync finishes what it left.
    spawnSync('rm', ['-rf', tmp]);
    rmSync(tmp, { recursive: true, force: true });
  };
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      cleanup();
      process.exit(130);
    });
  }
  try {
    log(`replaying ${AZD_MIRRORED} packaging in ${tmp}`);
    copyProject(projectFiles(), join(tmp, 'project'));
    if (!fresh && seedNodeModules(join(tmp, 'project'))) {
      log('  (node_modules taken from the project; --fresh installs it as in a new clone)');
    }
    for (const [name, service] of services) {
      if (services.length > 1) rmSync(join(tmp, 'package'), { recursive: true, force: true });
      checkService(name, service, project, tmp);
    }
  } finally {
    cleanup();
  }
  log('OK');
}

function ancestors(dir) {
  const out = [];
  for (let d = realpathSync(dir); ; d = dirname(d)) {
    out.push(d);
    if (dirname(d) === d) return out;
  }
}

try {
  main();
} catch (error) {
  if (!(error instanceof CheckFailure)) throw error;
  console.error(`package:check: FAILED — ${error.message} (${seconds()}s)`);
  process.exit(1);
}
