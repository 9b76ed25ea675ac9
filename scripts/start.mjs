// `npm start`: Azurite (from devDependencies) and `func start` together; Ctrl-C stops both.
// Checks for Core Tools first, then builds; arguments pass through to func: `npm start -- --port 7072`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function findFunc() {
  if (existsSync(bin('func'))) return bin('func');
  const found = spawnSync(process.platform === 'win32' ? 'where' : 'which', ['func'], {
    encoding: 'utf8',
  });
  return found.status === 0 ? found.stdout.split(/\r?\n/)[0].trim() : undefined;
}

const func = findFunc();
if (!func) {
  console.error(
    'Azure Functions Core Tools (func) not found: install v4 with `npm install -g azure-functions-core-tools@4 --unsafe-perm true` (or your OS package), then run `npm start` again; without it, `npm run host:local` runs the app on the local real-engine host.',
  );
  process.exit(1);
}

// The template's `prestart` (clean + build), run only once func is known to be there.
for (const script of ['clean', 'build']) {
  if (spawnSync(npm, ['run', script, '--silent'], { cwd: root, stdio: 'inherit' }).status !== 0) {
    console.error(`\`npm run ${script}\` failed.`);
    process.exit(1);
  }
}
const { portOpen } = await import(pathToFileURL(join(root, 'dist', 'tools', 'ports.js')).href);

const children = [];
let stopping = false;
function stopAll(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  process.exitCode = code;
}
process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));

if (await portOpen(10000)) {
  console.log(
    'Reusing the storage emulator already listening on 127.0.0.1:10000 (Azurite?); it keeps running after func stops.',
  );
} else {
  const azurite = spawn(
    bin('azurite'),
    [
      '--silent',
      '--disableTelemetry',
      '--skipApiVersionCheck',
      '--location',
      join(root, '.azurite'),
    ],
    { stdio: 'inherit' },
  );
  azurite.on('exit', (code) => {
    if (!stopping) console.error(`Azurite exited (${code}); stopping.`);
    stopAll(code ?? 1);
  });
  children.push(azurite);
}

const host = spawn(func, ['start', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
host.on('exit', (code) => stopAll(code ?? 0));
children.push(host);
