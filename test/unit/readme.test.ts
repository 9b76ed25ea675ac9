/**
 * The README cannot drift from the code: its answer table documents every problem type the code
 * can answer, with its status, and no other; its "Try it" block is bash whose every step shows
 * what it prints (the e2e suite runs it against a host: test/e2e/tryIt.e2e.test.ts).
 */
import { spawnSync } from 'node:child_process';
import { problem, PROBLEM_TYPES } from '../../src/http/problem';
import { answerTable, readReadme, tryItSteps } from '../support/readme';

const readme = readReadme();
const table = answerTable(readme);
const documented = table.filter((row) => row.type !== undefined);

describe('README: the answer table and the problem catalog', () => {
  it.each(Object.entries(PROBLEM_TYPES))('documents %s with its status', (type, { status }) => {
    const rows = documented.filter((row) => row.type === type);
    expect(rows.map((row) => row.status)).toEqual([status]);
  });

  it('documents no problem type the code cannot answer', () => {
    const unknown = documented.map((row) => row.type).filter((type) => !(type! in PROBLEM_TYPES));
    expect(unknown).toEqual([]);
  });

  it('names the type as the answers spell it', () => {
    const { type } = problem('instance-exists', '');
    expect(readme).toContain(`(\`${type.replace(/instance-exists$/, '<suffix>')}\`)`);
  });

  it('marks the 405 as defensive: the Functions host answers other methods with 404', () => {
    const [row] = documented.filter((r) => r.type === 'method-not-allowed');
    expect(row.when).toMatch(/defensive/);
    expect(table.some((r) => r.status === 404 && r.type === undefined)).toBe(true);
  });
});

describe('README: "Try it"', () => {
  const steps = tryItSteps(readme);

  it('is a bash block of steps, each showing what it prints', () => {
    const shown = steps.filter((step) => step.expected.length > 0);
    expect(shown.length).toBeGreaterThanOrEqual(5);
    // Only the set-up may print nothing; everything after the first output shows its own.
    const first = steps.indexOf(shown[0]);
    expect(steps.slice(first).every((step) => step.expected.length > 0)).toBe(true);
  });

  it('shows the refusal of a running job as the code words it', () => {
    const refused = steps.flatMap((step) => step.expected).find((line) => line.includes('409'));
    expect(refused).toBeDefined();
    expect(JSON.parse(refused!)).toMatchObject({
      status: PROBLEM_TYPES['instance-exists'].status,
      type: problem('instance-exists', '').type,
    });
  });

  it('is valid bash', () => {
    const script = steps.flatMap((step) => step.commands).join('\n');
    const checked = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
    expect(checked.stderr).toBe('');
    expect(checked.status).toBe(0);
  });
});
