/**
 * The clocks real mode can time receipts on.
 *
 * Real nodes in one process share one CPU, their event loop: the simulator's loopback model
 * (simulations/real/calibrate.ts) is that CPU plus a small one-way delay. On a machine that runs other
 * work too, the wall clock also counts the time this thread was ready to run but waited for a CPU
 * held by another process. No model of the nodes can predict that time: on the 2-core machine with
 * two busy processes beside the run it made coverage times 1.8 times longer at the median, and 3 to 4
 * times at the 90th percentile, varying from one transaction to the next. The 'uncontended' clock is
 * the wall clock less that wait (Linux counts it per thread: the run_delay field of
 * /proc/thread-self/schedstat), so it keeps the nodes' own work, their I/O and their idle waits, and
 * drops only the other processes' turns. On an otherwise idle machine the two clocks agree.
 */
import { closeSync, openSync, readSync } from 'node:fs'

/** How real mode times a receipt: see the module comment. */
export type ReceiptClock = 'wall' | 'uncontended'

const SCHEDSTAT = '/proc/thread-self/schedstat'

/** The uncontended clock needs Linux's per-thread scheduler statistics. */
export class ClockUnavailableError extends Error {
  override name = 'ClockUnavailableError'
}

/** A clock in milliseconds; call close() when done. */
export interface Clock {
  now: () => number
  close: () => void
}

/** True where the uncontended clock can run (Linux with scheduler statistics). */
export function uncontendedClockAvailable (schedstat = SCHEDSTAT): boolean {
  try {
    closeSync(openSync(schedstat, 'r'))
    return true
  } catch {
    return false
  }
}

/**
 * Opens `kind` for the calling thread (performance.now() based). The uncontended clock reads the
 * thread's run-queue wait at each call (one pread, about 2 µs), so call it on the thread being timed.
 * `schedstat` is for tests.
 */
export function openClock (kind: ReceiptClock, schedstat = SCHEDSTAT): Clock {
  if (kind === 'wall') return { now: () => performance.now(), close: () => {} }
  let fd: number
  try {
    fd = openSync(schedstat, 'r')
  } catch (err) {
    throw new ClockUnavailableError(`the uncontended clock needs ${schedstat} (Linux): ${(err as Error).message}`)
  }
  const buf = Buffer.alloc(128)
  // Fields: time on a CPU (ns), time waiting on a run queue (ns), timeslices.
  const waitedMs = (): number => {
    const n = readSync(fd, buf, 0, buf.length, 0)
    return Number(buf.toString('latin1', 0, n).split(' ')[1]) / 1e6
  }
  return {
    now: () => performance.now() - waitedMs(),
    close: () => { closeSync(fd) }
  }
}
