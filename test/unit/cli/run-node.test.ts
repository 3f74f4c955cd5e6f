import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { harnessConfig } from '../../../src/harness/index.ts'
import { runNode, type ProcessLike } from '../../../src/node/run.ts'

/** A process stand-in whose signals the test raises and whose exit() is recorded, not performed. */
function fakeProcess (): ProcessLike & { raise: (s: 'SIGINT' | 'SIGTERM') => void, listening: () => boolean, exits: number[] } {
  const listeners = new Map<string, Array<() => void>>()
  const exits: number[] = []
  return {
    exits,
    listening: () => (listeners.get('SIGTERM') ?? []).length > 0,
    on: (signal, listener) => { listeners.set(signal, [...(listeners.get(signal) ?? []), listener]) },
    removeListener: (signal, listener) => { listeners.set(signal, (listeners.get(signal) ?? []).filter(l => l !== listener)) },
    exit: ((code: number) => { exits.push(code) }) as ProcessLike['exit'],
    raise: signal => { for (const l of listeners.get(signal) ?? []) l() }
  }
}

describe('runNode', () => {
  it('stops on the first signal and resolves 0; a second signal during the stop forces exit 130', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sorcha-run-'))
    try {
      const proc = fakeProcess()
      const config = harnessConfig(join(dir, 'a'))
      const result = runNode(config, proc)
      while (!proc.listening()) await new Promise(resolve => setTimeout(resolve, 20))
      proc.raise('SIGTERM')
      proc.raise('SIGINT') // arrives while the stop is in flight
      assert.deepEqual(proc.exits, [130])
      assert.equal(await result, 0, 'the stop still completes')
      assert.equal(proc.listening(), false, 'listeners removed once stopped')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
