#!/usr/bin/env node
// Stages the deployment package in dist/package: the app compiled from src/ alone (no source maps),
// host.json, a package.json without scripts or development dependencies, the production
// dependencies installed from package-lock.json (`npm ci --omit=dev --omit=optional`), all of it
// filtered by .funcignore, and .funcignore itself. azd runs it as the `prepackage` hook of the `api` service and zips that folder
// (`dist: dist/package` in azure.yaml); `func azure functionapp publish` can be run from it too.
// See docs/deployment.md.
//
// It needs the development dependencies (TypeScript) installed in the project and leaves them
// there: nothing outside dist/package changes.

import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import ignore from 'ignore';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'package');
const started = Date.now();

function fail(message) {
  console.error(`package-stage: FAILED — ${message}`);
  process.exit(1);
}

function run(label, command, args, cwd) {
  const result = spawnSync(command, args, {
    cwd,
    stdio: 'inherit',
    // npm is npm.cmd on Windows, which only a shell runs.
    shell: process.platform === 'win32' && command === 'npm',
  });
  if (result.error) fail(`${label}: ${result.error.message}`);
  if (result.status !== 0) fail(`${label} exited with ${result.status}`);
}

function sizeOf(dir) {
  let files = 0;
  let bytes = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path);
    if (stat.isDirectory()) {
      const inner = sizeOf(path);
      files += inner.files;
      bytes += inner.bytes;
    } else {
      files += 1;
      bytes += stat.size;
    }
  }
  return { files, bytes };
}

let tsc;
try {
  tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
} catch {
  fail(
    'TypeScript is not installed: run `npm ci` (or `npm install`) first. The package is compiled with the development dependencies and shipped without them.',
  );
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

// src/ only, into dist/package/dist/src: package.json's `main` (dist/src/{index.js,functions/*.js}) holds.
run(
  'tsc -p tsconfig.package.json',
  process.execPath,
  [tsc, '-p', join(root, 'tsconfig.package.json'), '--outDir', join(out, 'dist')],
  root,
);

for (const file of ['host.json', 'package.json', 'package-lock.json', '.funcignore']) {
  if (!existsSync(join(root, file))) fail(`${file} not found`);
  copyFileSync(join(root, file), join(out, file));
}

// Production dependencies only, exactly as locked; none of them needs an install script.
run(
  'npm ci --omit=dev --omit=optional',
  'npm',
  [
    'ci',
    '--omit=dev',
    '--omit=optional',
    '--ignore-scripts',
    '--no-audit',
    '--no-fund',
    '--prefer-offline',
  ],
  out,
);

// What the Functions host and Node worker read: `main` (and the app's own metadata). The lockfile
// stays behind: it lists the development dependencies (node_modules/.package-lock.json records
// what was installed).
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const {
  scripts: _scripts,
  devDependencies: _dev,
  optionalDependencies: _optional,
  ...shipped
} = pkg;
writeFileSync(join(out, 'package.json'), `${JSON.stringify(shipped, null, 2)}\n`);
rmSync(join(out, 'package-lock.json'));

// Apply .funcignore here already, with gitignore rules as azd does: dist/package is then the
// package for any tool (Core Tools matches .funcignore patterns from the folder root only, so it
// would keep node_modules' *.ts and *.js.map files).
const matcher = ignore().add(readFileSync(join(root, '.funcignore'), 'utf8'));
function prune(dir, rel) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const relPath = rel ? `${rel}/${name}` : name;
    const isDir = lstatSync(path).isDirectory();
    if (matcher.ignores(isDir ? `${relPath}/` : relPath)) rmSync(path, { recursive: true });
    else if (isDir) prune(path, relPath);
  }
}
prune(out, '');

const { files, bytes } = sizeOf(out);
console.log(
  `package-stage: ${relative(root, out)} — ${files} files, ${(bytes / 1024 / 1024).toFixed(1)} MB (${((Date.now() - started) / 1000).toFixed(1)}s)`,
);
