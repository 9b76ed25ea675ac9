/**
 * The Node.js the project runs on: package.json's `engines`/`devEngines` and scripts/use-node22.sh
 * (which CI sources) must name the same range, and the tests themselves must be running inside it,
 * so that a CI or a shell that silently fell back to an older node fails here, by name.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  engines: { node: string };
  devEngines: { runtime: { name: string; version: string; onFail: string } };
};
const script = readFileSync(join(root, 'scripts', 'use-node22.sh'), 'utf8');

/** `>=22.13.0 <23` → 13: the only form the shell script's check implements. */
function minimumMinor(range: string): number {
  const m = /^>=22\.(\d+)\.0 <23$/.exec(range);
  if (!m) throw new Error(`engines.node '${range}' is not of the form '>=22.N.0 <23'`);
  return Number(m[1]);
}

const scriptValue = (name: string) => {
  const m = new RegExp(`^${name}=(\\S+)$`, 'm').exec(script);
  if (!m) throw new Error(`scripts/use-node22.sh has no ${name}=`);
  return m[1];
};

describe('Node.js runtime', () => {
  it('declares one range in engines and devEngines', () => {
    expect(pkg.devEngines.runtime).toEqual({
      name: 'node',
      version: pkg.engines.node,
      onFail: 'error',
    });
  });

  it('has scripts/use-node22.sh accept the same range and pin a version inside it', () => {
    const min = minimumMinor(pkg.engines.node);
    expect(Number(scriptValue('__node22_min_minor'))).toBe(min);
    const [major, minor] = scriptValue('__node22_version').split('.').map(Number);
    expect(major).toBe(22);
    expect(minor).toBeGreaterThanOrEqual(min);
  });

  it('runs these tests on a Node.js inside that range (else: source scripts/use-node22.sh)', () => {
    const [major, minor] = process.versions.node.split('.').map(Number);
    expect({
      node: process.version,
      supported: major === 22 && minor >= minimumMinor(pkg.engines.node),
    }).toEqual({ node: process.version, supported: true });
  });
});
