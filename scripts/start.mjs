// `npm start`: Azurite (from devDependencies) and `func start` together; Ctrl-C stops both.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);

function findFunc() {
  if (existsSync(bin('func'))) return bin('func');
  const found = spawnSync(process.platform === 'win32' ? 'where' : 'which', ['func'], {
    encoding: 'utf8',
  });
  return found.status === 0 ? found.stdout.split(/\r?\n/)[0].trim() : undefined;
}

function portOpen(port) {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

const func = findFunc();
if (!func) {
  console.error(
    'Azure Functions Core Tools (func) not found: install v4 with `npm install -g azure-functions-core-tools@4 --unsafe-perm true` (or your OS package), then run `npm start` again; without it, `npm run host:local` runs the app on the local real-engine host.',
  );
  process.exit(1);
}

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
  console.log('Azurite (or another storage emulator) is already listening on 10000; using it.');
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

const host = spawn(func, ['start'], { cwd: root, stdio: 'inherit' });
host.on('exit', (code) => stopAll(code ?? 0));
children.push(host);
