import { join } from 'node:path';
import {
  engineRefusesRunningDuplicates,
  findHostJson,
  readHostJson,
} from '../../../src/durable/hostSettings';

const OVERRIDE =
  'AzureFunctionsJobHost__extensions__durableTask__overridableExistingInstanceStates';
const anyState = { extensions: { durableTask: { overridableExistingInstanceStates: 'AnyState' } } };

describe('engineRefusesRunningDuplicates', () => {
  it('is true by default (NonRunningStates)', () => {
    expect(engineRefusesRunningDuplicates({}, undefined)).toBe(true);
    expect(
      engineRefusesRunningDuplicates({}, { extensions: { durableTask: { hubName: 'h' } } }),
    ).toBe(true);
  });
  it('is false when host.json says AnyState', () => {
    expect(engineRefusesRunningDuplicates({}, anyState)).toBe(false);
  });
  it('follows the app setting over host.json, either way', () => {
    expect(engineRefusesRunningDuplicates({ [OVERRIDE]: 'anystate' }, undefined)).toBe(false);
    expect(engineRefusesRunningDuplicates({ [OVERRIDE]: 'NonRunningStates' }, anyState)).toBe(true);
  });
  it("reads this app's host.json, which keeps the default", () => {
    expect(findHostJson()).toBe(join(__dirname, '..', '..', '..', 'host.json'));
    expect(engineRefusesRunningDuplicates({}, readHostJson())).toBe(true);
  });
});
