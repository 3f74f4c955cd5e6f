import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { openClock, uncontendedClockAvailable } from '../../simulations/real/receipt-clock.ts'

/** This thread's CPU time (user + system), ms. */
function threadCpuMs (): number {
  const { user, system } = process.threadCpuUsage()
  return (user + system) / 1000
}

/** Busy-waits `ms` of wall time on this thread. */
function spin (ms: number): void {
  const end = performance.now() + ms
  while (performance.now() < end) { /* busy */ }
}

describe('receipt clocks', () => {
  it('the wall clock is performance.now()', () => {
    const clock = openClock('wall')
    const before = performance.now()
    const t = clock.now()
    assert.ok(t >= before && t <= performance.now())
    clock.close()
  })

  it('the uncontended clock runs no faster than the wall clock and no slower than this thread\'s CPU time', { skip: uncontendedClockAvailable() ? undefined : 'needs Linux (/proc/thread-self/schedstat)' }, () => {
    const clock = openClock('uncontended')
    try {
      for (let round = 0; round < 3; round++) {
        const wall0 = performance.now()
        const cpu0 = threadCpuMs()
        const own0 = clock.now()
        spin(60)
        const own = clock.now() - own0
        const cpu = threadCpuMs() - cpu0
        const wall = performance.now() - wall0
        // wall = on a CPU + waiting for one + asleep; uncontended = on a CPU + asleep. The kernel's
        // two counters tick at different instants, hence the 2 ms of slack on each side.
        assert.ok(own <= wall + 2, `uncontended ${own} ms > wall ${wall} ms`)
        assert.ok(own >= cpu - 2, `uncontended ${own} ms < CPU ${cpu} ms`)
      }
    } finally {
      clock.close()
    }
  })

  it('without scheduler statistics the uncontended clock is unavailable and refuses to open', () => {
    const missing = '/proc/thread-self/no-such-file'
    assert.equal(uncontendedClockAvailable(missing), false)
    assert.throws(() => openClock('uncontended', missing), { name: 'ClockUnavailableError' })
  })
})
