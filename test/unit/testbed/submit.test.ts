/** The driver's patient submission: again to the same node once it is up, or to another when it will not come back. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { SUBMIT_ATTEMPTS, SUBMIT_RETRY_BASE_MS, SUBMIT_WAIT_MS, submitPatiently, type PatientSubmit } from '../../../simulations/testbed/submit.ts'

class NodeDown extends Error { override name = 'NodeDown' }

/** A fake clock and nodes: `upAt[i]` is when node i is up (Infinity: never); a submission to a node not up fails. */
function world (upAt: number[], failFirst = 0): { o: PatientSubmit, calls: number[], clock: { t: number } } {
  const clock = { t: 0 }
  const calls: number[] = []
  let failures = failFirst
  const isUp = (i: number): boolean => clock.t >= upAt[i]!
  return {
    clock,
    calls,
    o: {
      publisher: 0,
      submit: async node => {
        calls.push(node)
        if (failures > 0) { failures--; throw new NodeDown('killed during the call') }
        if (!isUp(node)) throw new NodeDown(`node ${node} is down`)
      },
      isUp,
      willReturn: i => upAt[i] !== Infinity,
      pickOther: not => { const i = upAt.findIndex((_, j) => j !== not && isUp(j)); return i === -1 ? undefined : i },
      sleep: async ms => { clock.t += ms },
      now: () => clock.t
    }
  }
}

describe('submitPatiently', () => {
  it('one submission when it succeeds', async () => {
    const { o, calls } = world([0, 0])
    assert.deepEqual(await submitPatiently(o), { node: 0, attempts: 1 })
    assert.deepEqual(calls, [0])
  })

  it('a node restarting: waits until it is up and submits to it again', async () => {
    const { o, calls, clock } = world([5_000, 0], 1)
    assert.deepEqual(await submitPatiently(o), { node: 0, attempts: 2 })
    assert.deepEqual(calls, [0, 0])
    assert.ok(clock.t >= 5_000)
  })

  it('a node that will not come back, or not within the wait: another node that is up', async () => {
    const crashed = world([Infinity, Infinity, 0], 1)
    assert.deepEqual(await submitPatiently(crashed.o), { node: 2, attempts: 2 })
    assert.equal(crashed.clock.t, SUBMIT_RETRY_BASE_MS, 'only the pause: no wait for a node crashed for good')
    const slow = world([SUBMIT_WAIT_MS * 10, 0], 1)
    assert.deepEqual(await submitPatiently(slow.o), { node: 1, attempts: 2 })
    assert.ok(slow.clock.t >= SUBMIT_WAIT_MS)
  })

  it('gives up after SUBMIT_ATTEMPTS with the last error, and at once when the run stops', async () => {
    const { o, calls } = world([Infinity, Infinity])
    await assert.rejects(submitPatiently(o), { name: 'NodeDown' })
    assert.equal(calls.length, SUBMIT_ATTEMPTS)
    const up = world([0, 0], SUBMIT_ATTEMPTS - 1)
    assert.deepEqual(await submitPatiently(up.o), { node: 0, attempts: SUBMIT_ATTEMPTS })
    assert.equal(up.clock.t, SUBMIT_RETRY_BASE_MS * (2 ** (SUBMIT_ATTEMPTS - 1) - 1), 'pauses of 1, 2, 4... between submissions to a node that is up')
    const stopped = world([0], 1)
    const controller = new AbortController()
    controller.abort()
    await assert.rejects(submitPatiently({ ...stopped.o, signal: controller.signal }), { name: 'NodeDown' })
    assert.equal(stopped.calls.length, 1)
  })
})
