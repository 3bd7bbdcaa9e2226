// Lint: type-aware rules that catch lost promises, plus a check that no module imports itself
// through a cycle. Style is left to review; this config only holds rules that find bugs.
import tseslint from 'typescript-eslint'
import importX from 'eslint-plugin-import-x'
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript'

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'data/**', '.bench/**'] },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname }
    },
    plugins: { '@typescript-eslint': tseslint.plugin, 'import-x': importX },
    settings: {
      // no-cycle parses the imported modules too; they are TypeScript.
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      // Sources import './x.js' for './x.ts' (NodeNext); the TypeScript resolver maps them.
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json', extensions: ['.ts', '.js'] })]
    },
    rules: {
      // A promise nobody awaits or catches turns one failure into an unhandled rejection.
      '@typescript-eslint/no-floating-promises': 'error',
      // An async function where a void callback is expected (event listeners, express handlers
      // of express 4 style, array callbacks) loses its rejection the same way.
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // Import cycles make module initialisation order matter; keep the graph a DAG.
      'import-x/no-cycle': ['error', { ignoreExternal: true }]
    }
  },
  {
    // On the server a promise marked `void` is still lost: one rejection there is an unhandled
    // rejection in the process every room shares. Every promise is awaited or caught and logged.
    // In the browser, `void` marks a UI action whose function reports its own errors.
    files: ['server/**/*.ts', 'shared/**/*.ts'],
    rules: { '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: false }] }
  }
)
