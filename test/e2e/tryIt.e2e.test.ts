/**
 * The README's "Try it", run as a reader pastes it: its bash steps, in one bash process, against
 * E2E_BASE_URL, each step's output compared with the `# →` lines the README shows under it. The
 * instance ID is made unique per run, so the suite can run again against a long-lived host (and
 * beside a reader's own `sync-eu`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { tryItSteps, readReadme, type TryItStep } from '../support/readme';
import { BASE, post, uniqueId } from './http';

const README_BASE = 'http://localhost:7071';
const README_ID = 'sync-eu';
const STEP_MARK = '@@try-it-step@@';
/** Bound on the whole block: its waits are a first pass and a stop, seconds each. */
const TIMEOUT_MS = 100_000;

/** The block as pasted, pointed at this host and this run's ID, with a marker after each step. */
function script(steps: readonly TryItStep[], id: string): string {
  const body = steps
    .map((step) => [...step.commands, `echo '${STEP_MARK}'`].join('\n'))
    .join('\n')
    .replaceAll(README_BASE, BASE)
    .replaceAll(`/${README_ID}`, `/${id}`);
  // One stream, in the order printed: curl's `-w '%{stderr}…'` writes to stderr.
  return `exec 2>&1\n${body}\n`;
}

function run(text: string): Promise<{ output: string; code: number | null; timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', text], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ output, code, timedOut });
    });
  });
}

const steps = tryItSteps(readReadme());
const id = uniqueId('try-it');

afterAll(async () => {
  // Whatever the block left running (it stops its runs itself when it gets that far).
  await post(
    `${BASE}/runtime/webhooks/durabletask/instances/${encodeURIComponent(id)}/terminate?reason=e2e-cleanup`,
  ).catch(() => undefined);
});

describe('README "Try it", pasted into bash', () => {
  it('has curl and jq to run with', () => {
    for (const tool of ['curl', 'jq']) {
      const found = spawnSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' });
      expect({ tool, found: found.status === 0 }).toEqual({ tool, found: true });
    }
  });

  it(
    'prints what the README shows, step by step',
    async () => {
      const { output, timedOut } = await run(script(steps, id));
      const printed = output.split(`${STEP_MARK}\n`);
      const seen = steps.map((step, i) => ({
        step: step.commands.filter((line) => line.trim() !== '').join('\n'),
        prints: (printed[i] ?? '').split('\n').filter((line) => line !== ''),
      }));
      const shown = steps.map((step, i) => ({ step: seen[i].step, prints: [...step.expected] }));
      // Every step at once, so that a failure shows where the block and the README part ways.
      expect({ timedOut, steps: seen }).toEqual({ timedOut: false, steps: shown });
    },
    TIMEOUT_MS + 10_000,
  );
});
