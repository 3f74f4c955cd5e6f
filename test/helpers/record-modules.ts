/**
 * Preload (`node --import ./test/helpers/record-modules.ts ...`) that records every module the process
 * loads, ESM and CommonJS alike (module.registerHooks sees both), and writes their URLs, one per line,
 * to the file named by $TEST_MODULE_LOG when the process exits; then the dependencies bundled in
 * Node.js that it loaded, as `node:internal/deps/<name>/...` (undici for fetch, amaro for type
 * stripping), which no hook sees. The variable's name has no SORCHA_ prefix, so that `sorcha-peer
 * start`, which refuses unknown SORCHA_ variables, can be recorded too.
 */
import { writeFileSync } from 'node:fs'
import { registerHooks } from 'node:module'

const target = process.env.TEST_MODULE_LOG
if (target !== undefined) {
  const loaded = new Set<string>()
  registerHooks({
    load (url, context, nextLoad) {
      loaded.add(url)
      return nextLoad(url, context)
    }
  })
  process.on('exit', () => {
    const bundled = (process as unknown as { moduleLoadList: string[] }).moduleLoadList
      .filter(m => m.startsWith('NativeModule internal/deps/')).map(m => `node:${m.slice('NativeModule '.length)}`)
    writeFileSync(target, [...loaded, ...bundled].join('\n') + '\n')
  })
}
