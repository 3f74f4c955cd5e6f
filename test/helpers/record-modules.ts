/**
 * Preload (`node --import ./test/helpers/record-modules.ts ...`) that records every module the process
 * loads, ESM and CommonJS alike (module.registerHooks sees both), and writes their URLs, one per line,
 * to the file named by $SORCHA_TEST_MODULE_LOG when the process exits.
 */
import { writeFileSync } from 'node:fs'
import { registerHooks } from 'node:module'

const target = process.env.SORCHA_TEST_MODULE_LOG
if (target !== undefined) {
  const loaded = new Set<string>()
  registerHooks({
    load (url, context, nextLoad) {
      loaded.add(url)
      return nextLoad(url, context)
    }
  })
  process.on('exit', () => { writeFileSync(target, [...loaded].join('\n') + '\n') })
}
