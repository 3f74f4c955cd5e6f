import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { openClock, uncontendedClockAvailable } from '../../simulations/real/receipt-clock.ts'

/**
 * This thread's time on a CPU, ms (field 1 of /proc/thread-self/schedstat). The kernel brings a running
 * thread's total up to date at scheduler events and ticks only, so a reading lags by up to one tick
 * (10 ms at the slowest tick rate, 100 Hz): a difference of two readings is right within a tick either
 * way. (process.threadCpuUsage() has the same lag: it showed 63.1 ms of CPU in a 60.0 ms busy loop.)
 */
function threadCpuMs (): number {
  return Number(readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ')[0]) / 1e6
}
const TICK_MS = 10

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
        spin(200)
        const own = clock.now() - own0
        const cpu = threadCpuMs() - cpu0
        const wall = performance.now() - wall0
        // wall = on a CPU + waiting for one + asleep; uncontended = on a CPU + asleep. The wait is
        // exact while the thread runs; the CPU time is right within a tick.
        assert.ok(own <= wall + 0.5, `uncontended ${own} ms > wall ${wall} ms`)
        assert.ok(own >= cpu - TICK_MS, `uncontended ${own} ms < CPU ${cpu} ms`)
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
