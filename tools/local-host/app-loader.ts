/**
 * Loads the app's compiled function modules (package.json `main` glob) plus optional extra modules
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

export function appModules(): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as {
    main?: string;
  };
  const modules = pkg.main ? expandGlob(pkg.main, projectRoot) : [];
  const extra = process.env.LOCAL_HOST_EXTRA_FUNCTIONS;
  if (extra) {
    for (const item of extra.split(path.delimiter).filter(Boolean)) {
      const file = path.resolve(projectRoot, item);
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
