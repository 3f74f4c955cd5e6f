import assert from 'node:assert/strict'
import type { ConfigError } from '../../src/config/index.ts'

/** Runs `fn`, asserts it throws a ConfigError, and returns it for assertions on key, value and allowed. */
export function rejection (fn: () => unknown): ConfigError {
  try {
    fn()
  } catch (err) {
    assert.equal((err as Error).name, 'ConfigError')
    return err as ConfigError
  }
  assert.fail('expected a ConfigError')
}
