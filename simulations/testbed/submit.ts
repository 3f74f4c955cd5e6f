/**
 * How the testbed's driver submits a transaction: as a client that does not give up at the first
 * error. A submission can fail because its node was killed, restarted or frozen while the call was
 * under way; the driver then submits the same transaction again (same payload, so the same id: a
 * node that had stored it answers "duplicate", and nothing is published twice), to the same node once
 * it is up again, or to another node that is up when it will not come back soon. Without this, a
 * transaction whose one submission failed counted as published and never delivered, and a run with
 * faults never completed (a rolling restart of 6 nodes: 25 of 100 submissions failed).
 */

/** Most submissions of one transaction. */
export const SUBMIT_ATTEMPTS = 6
/**
 * The pause after the first failed submission, doubling after each (1, 2, 4, 8, 16 s): a restarted
 * node is up before the gRPC channel to it is (the channel reconnects with its own back-off, and calls
 * fail at once meanwhile: five submissions in a row, without a pause, all failed there).
 */
export const SUBMIT_RETRY_BASE_MS = 1_000
/** How long a failed submission waits for its node to be up again before it goes to another node. */
export const SUBMIT_WAIT_MS = 30_000
/** How often it looks whether the node is up. */
const POLL_MS = 200

/** What submitPatiently needs from the driver. */
export interface PatientSubmit {
  /** Submits the transaction to node i (rejects on failure). */
  submit: (node: number) => Promise<unknown>
  /** The node the workload chose. */
  publisher: number
  /** Whether node i takes submissions now. */
  isUp: (node: number) => boolean
  /** False for a node that will not come back (crashed for good). */
  willReturn: (node: number) => boolean
  /** Another node that is up now, if any. */
  pickOther: (not: number) => number | undefined
  /** Stops waiting (the run ends). */
  signal?: AbortSignal
  /** For tests: the wait between looks. */
  sleep?: (ms: number) => Promise<void>
  /** For tests: the clock, ms. */
  now?: () => number
}

/** The node that took the transaction and how many submissions it took. */
export interface Submitted { node: number, attempts: number }

const realSleep = async (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

/** Submits until a node takes the transaction, at most SUBMIT_ATTEMPTS times; rejects with the last error. */
export async function submitPatiently (o: PatientSubmit): Promise<Submitted> {
  const sleep = o.sleep ?? realSleep
  const now = o.now ?? Date.now
  const aborted = (): boolean => o.signal?.aborted === true
  let node = o.publisher
  for (let attempt = 1; ; attempt++) {
    try {
      await o.submit(node)
      return { node, attempts: attempt }
    } catch (err) {
      if (attempt >= SUBMIT_ATTEMPTS || aborted()) throw err
    }
    await sleep(SUBMIT_RETRY_BASE_MS * 2 ** (attempt - 1))
    const until = now() + SUBMIT_WAIT_MS
    while (o.willReturn(node) && !o.isUp(node) && now() < until && !aborted()) await sleep(POLL_MS)
    if (!o.isUp(node)) {
      const other = o.pickOther(node)
      if (other !== undefined) node = other
    }
  }
}
