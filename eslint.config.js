import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const nodeBuiltins = ['node:*', 'fs', 'fs/*', 'path', 'child_process', 'os', 'net', 'http', 'https', 'crypto', 'stream', 'url', 'events', 'worker_threads', 'zlib'];

/** Layers, lowest first: shared (pure) < engine/server/cli (node) < main/preload (electron); renderer (browser) sees shared only. */
const layer = (files, patterns, message) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }] },
});

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'release/**', 'node_modules/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
  },
  layer(
    ['shared/**/*.ts'],
    [...nodeBuiltins, 'electron', 'execa', 'ws', 'react', 'react-dom', 'zustand', '**/electron/**', '**/renderer/**'],
    'shared/ is the pure contract: no Node, no Electron, no DOM libraries, no imports from electron/ or renderer/.',
  ),
  layer(
    ['electron/engine/**/*.ts', 'electron/server/**/*.ts', 'electron/cli/**/*.ts'],
    ['electron', '**/renderer/**', '**/electron/main/**', '**/electron/preload/**'],
    'the engine, the test server and the CLI run in plain Node: no electron import, no renderer code.',
  ),
  // The data plane (balancer, fault proxies) is reached through data-plane/ only, in messages, so it can
  // move to worker threads (issue 15) without the rest of the engine changing. Types are its vocabulary;
  // the toxic shape's pure checks are shared. Toxiproxy's client proxies are the named exception (see data-plane/README.md).
  {
    files: ['electron/**/*.ts'],
    ignores: ['electron/engine/data-plane/**', 'electron/engine/balancer/**', 'electron/engine/faults/network/**', 'electron/engine/node-links.ts', 'electron/engine/toxiproxy/client-proxies.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/balancer', '**/balancer/*', '**/balancer/**', '**/faults/network', '**/faults/network/**', './network', './network/**', '**/node-links', '**/node-links.js'],
              allowTypeImports: true,
              allowImportNamePattern: '^(isToxicType|parseToxicSpec|parseAttributes|TOXIC_TYPES)$',
              message: 'the balancer and the fault proxies are the data plane: reach them through electron/engine/data-plane (PlaneClient), in messages.',
            },
          ],
        },
      ],
    },
  },
  layer(
    ['electron/server/**/*.ts'],
    ['electron', '**/engine/**', '**/cli/**', '**/renderer/**'],
    'the bundled test server stands alone: it imports neither the engine nor the CLI.',
  ),
  layer(
    ['renderer/**/*.{ts,tsx}'],
    [...nodeBuiltins, 'electron', 'execa', 'ws', '**/electron/**'],
    'the renderer reaches the engine only through the contract in shared/.',
  ),
  layer(
    ['electron/preload/**/*.ts'],
    [...nodeBuiltins, '**/engine/**', '**/renderer/**'],
    'the preload exposes one narrow bridge and nothing else.',
  ),
);
