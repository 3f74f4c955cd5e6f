// Lint rules, including the layer rules of docs/conventions.md §1: protos -> protocols -> src,
// protocols -> simulations. A core that reaches for I/O, a clock, a timer or randomness fails CI.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

const nodeBuiltins = ['node:*', 'fs', 'fs/*', 'net', 'dgram', 'os', 'path', 'crypto', 'http', 'https', 'zlib', 'child_process', 'timers', 'timers/*', 'worker_threads', 'process']
const ioPackages = ['libp2p', '@libp2p/*', '@chainsafe/*', 'level', 'classic-level', 'pino', 'pino-*', 'prom-client', 'fastify', '@fastify/*', '@grpc/*', 'commander', 'yaml']

/** Import patterns that would let code reach a layer above its own. */
const layer = (...groups) => ({
  'no-restricted-imports': ['error', { patterns: groups.map(([group, message]) => ({ group, message })) }]
})

export default tseslint.config(
  { ignores: ['node_modules/**', 'coverage/**', 'dist/**', 'protos/gen/**', '.bench/**', '.sim-out/**', '.testbed-out/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', structuredClone: 'readonly', queueMicrotask: 'readonly', performance: 'readonly', fetch: 'readonly', EventTarget: 'readonly', Event: 'readonly', CustomEvent: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off'
    }
  },
  {
    // The dashboard's browser code (no build step): browser globals.
    files: ['src/dashboard/ui/**/*.js'],
    languageOptions: { globals: { document: 'readonly', window: 'readonly', navigator: 'readonly', EventSource: 'readonly', HTMLElement: 'readonly', Option: 'readonly', CSS: 'readonly', ResizeObserver: 'readonly', requestAnimationFrame: 'readonly', globalThis: 'readonly' } }
  },
  {
    files: ['protocols/**/*.ts'],
    rules: {
      ...layer(
        [nodeBuiltins, 'protocols/ holds pure cores: no Node built-ins (I/O belongs in src/)'],
        [ioPackages, 'protocols/ holds pure cores: no libp2p, storage, logging or network packages'],
        [['**/src/**', '**/simulations/**', '**/test/**'], 'protocols/ may import only protos/ and other cores']
      ),
      'no-restricted-globals': ['error',
        { name: 'setTimeout', message: 'cores take time as input; return a schedule effect instead' },
        { name: 'setInterval', message: 'cores take time as input; return a schedule effect instead' },
        { name: 'setImmediate', message: 'cores are synchronous state machines' },
        { name: 'process', message: 'cores do not read the environment' },
        { name: 'Buffer', message: 'use Uint8Array in cores' },
        { name: 'fetch', message: 'cores do no I/O' },
        { name: 'performance', message: 'cores take time as input (now)' },
        { name: 'console', message: 'cores emit trace effects instead of logging' }
      ],
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: 'cores take time as input (now)' },
        { object: 'Math', property: 'random', message: 'cores take an injected seeded Rng' },
        { object: 'crypto', property: 'getRandomValues', message: 'cores take an injected seeded Rng' }
      ],
      'no-restricted-syntax': ['error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'cores take time as input (now)' }
      ]
    }
  },
  {
    files: ['src/**/*.ts'],
    rules: layer([['**/simulations/**', '**/test/**'], 'src/ must not depend on simulations/ or test/'])
  },
  {
    files: ['simulations/**/*.ts'],
    ignores: ['simulations/real/**', 'simulations/testbed/**'],
    rules: layer([['**/src/**'], 'the simulated mode drives protocols/ only; real nodes live in simulations/real/ and simulations/testbed/'])
  },
  {
    files: ['test/**/*.ts', 'simulations/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' }
  }
)
