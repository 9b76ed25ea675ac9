// Child process of `npm run package:check`: loads a function app's entry points the way the
// Azure Functions Node worker does (package.json `main`, relative to the working directory) with
// the `@azure/functions-core` stand-in installed, and prints one JSON line: the functions that
// registered and every loaded file outside the allowed roots. It requires nothing but Node
// built-ins itself, so whatever the app loads comes from where the app resolves it.
//
// Environment: PACKAGE_PROBE_CORE (the compiled stand-in's index.js), PACKAGE_PROBE_MODULES
// (optional JSON array of files to load instead of `main`), PACKAGE_PROBE_ALLOWED (JSON array of
// directories whose files may be loaded besides the working directory).
'use strict';

const fs = require('node:fs');
const path = require('node:path');

function expandMain(pattern, root) {
  const brace = /\{([^{}]*)\}/.exec(pattern);
  if (brace) {
    return brace[1]
      .split(',')
      .flatMap((alt) =>
        expandMain(
          pattern.slice(0, brace.index) + alt + pattern.slice(brace.index + brace[0].length),
          root,
        ),
      );
  }
  const absolute = path.resolve(root, pattern);
  if (!absolute.includes('*')) return fs.existsSync(absolute) ? [absolute] : [];
  const dir = path.dirname(absolute);
  if (dir.includes('*'))
    throw new Error(`unsupported main glob (wildcard in a folder): ${pattern}`);
  const escaped = path
    .basename(absolute)
    .split('*')
    .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  const re = new RegExp(`^${escaped.join('[^/]*')}$`);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => re.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

function within(file, dir) {
  const rel = path.relative(dir, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

const root = fs.realpathSync(process.cwd());
const core = require(process.env.PACKAGE_PROBE_CORE);
core.install();

let modules;
if (process.env.PACKAGE_PROBE_MODULES) {
  modules = JSON.parse(process.env.PACKAGE_PROBE_MODULES);
} else {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  if (!pkg.main) throw new Error('package.json has no main: the Node worker would load nothing');
  modules = expandMain(pkg.main, root);
}

const errors = [];
for (const file of modules) {
  try {
    require(file);
  } catch (error) {
    errors.push(`${path.relative(root, file)}: ${error && error.stack ? error.stack : error}`);
  }
}

const allowed = [
  root,
  module.filename,
  ...JSON.parse(process.env.PACKAGE_PROBE_ALLOWED || '[]').map((d) => fs.realpathSync(d)),
];
const outside = Object.keys(require.cache)
  .map((f) => fs.realpathSync(f))
  .filter((f) => !allowed.some((dir) => within(f, dir)));

const functions = [...core.getRegistrations().values()].map((r) => r.metadata.name);
process.stdout.write(
  `${JSON.stringify({ modules: modules.map((m) => path.relative(root, m)), functions, outside, errors })}\n`,
);
