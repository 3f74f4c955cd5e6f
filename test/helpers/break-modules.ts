/**
 * Preload (`node --import ./test/helpers/break-modules.ts ...`) that makes the packages named in
 * $TEST_BREAK_MODULES (comma-separated specifiers) fail to resolve, as a missing or broken install
 * would: tests use it to show that a configured optional part that cannot be loaded fails the start.
 */
import { registerHooks } from 'node:module'

const broken = new Set((process.env.TEST_BREAK_MODULES ?? '').split(',').filter(s => s !== ''))
if (broken.size > 0) {
  registerHooks({
    resolve (specifier, context, nextResolve) {
      if (broken.has(specifier)) throw Object.assign(new Error(`Cannot find package '${specifier}' (hidden by test/helpers/break-modules.ts)`), { code: 'ERR_MODULE_NOT_FOUND' })
      return nextResolve(specifier, context)
    }
  })
}
