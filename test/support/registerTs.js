/**
 * Lets a plain Node process require the project's TypeScript (`node -r ./test/support/registerTs.js
 * file.ts`), transpiled without type checking (jest and tsc do the checking). For what must run
 * outside jest's module sandbox, e.g. the OTLP exporters, which load `http` with a dynamic import.
 */
const fs = require('node:fs');
const ts = require('typescript');

require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
      sourceMap: false,
    },
  });
  module._compile(outputText, filename);
};
