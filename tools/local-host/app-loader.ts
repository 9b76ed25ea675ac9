/**
 * Loads the app's compiled function modules (package.json `main` glob, or `LOCAL_HOST_APP_MAIN`, a
 * glob of the same form relative to the project, in its place) plus optional extra modules
 * (`LOCAL_HOST_EXTRA_FUNCTIONS`, a path-delimiter separated list of .js files) with the
 * `@azure/functions-core` stand-in installed, and returns what they registered.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as core from '../functions-core';

export const projectRoot = path.resolve(__dirname, '..', '..', '..');

/** The app's host.json (undefined when there is none). */
export function readHostJson(): unknown {
  const file = path.join(projectRoot, 'host.json');
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as unknown) : undefined;
}

export interface LoadedApp {
  modules: string[];
  registrations: ReadonlyMap<string, core.Registration>;
}

/** Expands `{a,b}` alternatives and a `*` wildcard in file names (enough for Functions' `main` globs). */
export function expandGlob(pattern: string, root: string): string[] {
  const brace = /\{([^{}]*)\}/.exec(pattern);
  if (brace) {
    return brace[1]
      .split(',')
      .flatMap((alt) =>
        expandGlob(
          pattern.slice(0, brace.index) + alt + pattern.slice(brace.index + brace[0].length),
          root,
        ),
      );
  }
  const absolute = path.resolve(root, pattern);
  if (!absolute.includes('*')) {
    return fs.existsSync(absolute) ? [absolute] : [];
  }
  const dir = path.dirname(absolute);
  if (dir.includes('*')) {
    throw new Error(`Unsupported glob (wildcard in a directory): ${pattern}`);
  }
  const re = new RegExp(
    '^' +
      path
        .basename(absolute)
        .split('*')
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('[^/]*') +
      '$',
  );
  if (!fs.existsSync(dir)) {
    return [];
  }
  return fs
    .readdirSync(dir)
    .filter((f) => re.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

export function appModules(root = projectRoot, env: NodeJS.ProcessEnv = process.env): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    main?: string;
  };
  // Another app in the app's place (the benchmark's bare app, a subset of this one).
  const main = env.LOCAL_HOST_APP_MAIN || pkg.main;
  const modules = main ? expandGlob(main, root) : [];
  if (env.LOCAL_HOST_APP_MAIN && modules.length === 0) {
    throw new Error(`LOCAL_HOST_APP_MAIN: ${main} matches no file (did you run npm run build?)`);
  }
  const extra = env.LOCAL_HOST_EXTRA_FUNCTIONS;
  if (extra) {
    for (const item of extra.split(path.delimiter).filter(Boolean)) {
      const file = path.resolve(root, item);
      if (!fs.existsSync(file)) {
        throw new Error(
          `LOCAL_HOST_EXTRA_FUNCTIONS: ${file} does not exist (did you run npm run build?)`,
        );
      }
      modules.push(file);
    }
  }
  return modules;
}

let loaded: LoadedApp | undefined;

export function loadApp(): LoadedApp {
  if (loaded) {
    return loaded;
  }
  core.install();
  const modules = appModules();
  for (const file of modules) {
    // Loaded for their registrations, synchronously and in order, like the worker does.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(file);
  }
  loaded = { modules, registrations: core.getRegistrations() };
  return loaded;
}
