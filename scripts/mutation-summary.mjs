#!/usr/bin/env node
// Turns Stryker's full report (reports/mutation/mutation.json, about 1 MB, not committed) into the
// per-file figures that are committed (docs/mutation/latest.json, a few KB): each file's counts,
// its score, and every mutant that survived or that no test reached, with where it is and what it
// changed, so that docs/testing.md can say why each is equivalent or harmless. Run by
// `npm run test:mutation` after Stryker; `--check` only prints the table.

import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const reportPath = join(root, 'reports', 'mutation', 'mutation.json');
const summaryPath = join(root, 'docs', 'mutation', 'latest.json');

const report = JSON.parse(readFileSync(reportPath, 'utf8'));

// Stryker's own definition: detected (killed, timed out) over valid mutants (detected, survived,
// no coverage); errors and ignored mutants are not valid and do not count.
const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

const files = {};
for (const [path, file] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
  const lines = file.source.split('\n');
  const count = (status) => file.mutants.filter((m) => m.status === status).length;
  const detected = file.mutants.filter((m) => DETECTED.has(m.status)).length;
  const undetected = file.mutants.filter((m) => UNDETECTED.has(m.status));
  const valid = detected + undetected.length;
  files[path] = {
    score: valid === 0 ? null : Math.round((10_000 * detected) / valid) / 100,
    killed: count('Killed'),
    timeout: count('Timeout'),
    survived: count('Survived'),
    noCoverage: count('NoCoverage'),
    // Mutants that do not build, or crash the test run itself: no verdict either way.
    errors: count('CompileError') + count('RuntimeError'),
    ignored: count('Ignored'),
    undetected: undetected
      .map((m) => ({
        at: `${m.location.start.line}:${m.location.start.column}`,
        status: m.status,
        mutator: m.mutatorName,
        original: lines[m.location.start.line - 1]
          .slice(m.location.start.column - 1)
          .slice(0, 60)
          .trim(),
        replacement: m.replacement,
      }))
      .sort((a, b) => a.at.localeCompare(b.at, 'en', { numeric: true })),
  };
}

const table = Object.entries(files).map(([path, f]) =>
  [
    path.padEnd(34),
    String(f.score ?? '-').padStart(6),
    String(f.killed + f.timeout).padStart(9),
    String(f.survived).padStart(9),
    String(f.noCoverage).padStart(7),
    String(f.errors).padStart(6),
  ].join(' '),
);
console.log(
  [`${'file'.padEnd(34)}  score  detected  survived  no cov  errors`, ...table].join('\n'),
);

if (!process.argv.includes('--check')) {
  mkdirSync(dirname(summaryPath), { recursive: true });
  writeFileSync(
    summaryPath,
    `${JSON.stringify({ schema: 'per-file mutation scores, from Stryker', files }, null, 2)}\n`,
  );
  console.log(`\nPer-file figures written to ${summaryPath.slice(root.length + 1)}.`);
}
