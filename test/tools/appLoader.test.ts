import path from 'node:path';
import { appModules } from '../../tools/local-host/app-loader';

const root = path.resolve(__dirname, '..', '..');
const relative = (files: string[]) =>
  files.map((f) => path.relative(root, f).split(path.sep).join('/'));

describe("the local host's app modules", () => {
  it("are package.json main's, then the extra ones", () => {
    const modules = relative(appModules(root, { LOCAL_HOST_EXTRA_FUNCTIONS: 'package.json' }));
    expect(modules.at(-1)).toBe('package.json');
    expect(modules.slice(0, -1).every((m) => m.startsWith('dist/src/'))).toBe(true);
  });

  it("are LOCAL_HOST_APP_MAIN's in its place, with the same glob forms", () => {
    const env = { LOCAL_HOST_APP_MAIN: '{package.json,tsconfig*.json}' };
    expect(relative(appModules(root, env))).toEqual([
      'package.json',
      'tsconfig.json',
      'tsconfig.package.json',
      'tsconfig.test.json',
    ]);
  });

  it('refuse a LOCAL_HOST_APP_MAIN that matches no file, naming it', () => {
    expect(() => appModules(root, { LOCAL_HOST_APP_MAIN: 'dist/nothing/*.js' })).toThrow(
      /LOCAL_HOST_APP_MAIN: dist\/nothing\/\*\.js matches no file/,
    );
  });
});
