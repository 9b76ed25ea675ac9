// `npm install`'s postinstall: say once when the optional Azure Functions Core Tools are missing
// (their install downloads a binary and is skipped where that fails), and what works without them.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const local = join(
  root,
  'node_modules',
  '.bin',
  process.platform === 'win32' ? 'func.cmd' : 'func',
);
const onPath =
  spawnSync(process.platform === 'win32' ? 'where' : 'which', ['func'], { stdio: 'ignore' })
    .status === 0;
if (!existsSync(local) && !onPath) {
  console.log(
    'Note: Azure Functions Core Tools (optional) were not installed, so `npm start` (func start) is unavailable; `npm test` and the local real-engine host (`npm run host:local`, needs the .NET 10 SDK) work without them.',
  );
}
