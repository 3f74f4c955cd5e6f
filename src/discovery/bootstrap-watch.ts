/**
 * Warnings about bootstrap peers (issue 17 item 5): one warning when a bootstrap peer cannot be
 * reached, not one per retry (the maintainer retries with back-off, SPEC §2), and an info line when
 * it is reached again; one warning when a bootstrap address answers with another peer id than its
 * /p2p/ part names. The outage state is per bootstrap peer and bounded by the bootstrap list.
 *
 * How libp2p 3 reports the wrong peer: Noise checks the identity key the remote signs against the
 * key of the peer id it was asked to dial, and throws UnexpectedPeerError ("Payload identity key
 * <answered> does not match expected remote identity key <expected>"); the upgrader rethrows it as
 * EncryptionFailedError with the same message, and a dial of several addresses wraps the failures in
 * an AggregateError. Keys print as peer ids, so the message names the peer that answered.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import type { Logger } from '../logging/index.ts'

/** What a failed dial tells about a bootstrap peer. */
export type DialProblem =
  | { kind: 'wrong-peer', answered: string | undefined }
  | { kind: 'unreachable', reason: string }

const NOISE_MISMATCH = /Payload identity key (\S+) does not match expected remote identity key/

/** The errors in `err`: itself, an AggregateError's members and causes, depth-first. */
function errorsIn (err: unknown, depth = 0): Error[] {
  if (!(err instanceof Error) || depth > 4) return []
  const inner = err instanceof AggregateError ? err.errors.flatMap(e => errorsIn(e, depth + 1)) : []
  return [err, ...inner, ...errorsIn(err.cause, depth + 1)]
}

function peerIdOrUndefined (text: string | undefined): string | undefined {
  if (text === undefined) return undefined
  try {
    return peerIdFromString(text).toString()
  } catch {
    return undefined
  }
}

/** Classifies a dial error: the wrong peer answered (with its id when the error names it), or no answer. */
export function dialProblem (err: unknown): DialProblem {
  const errors = errorsIn(err)
  for (const e of errors) {
    const match = NOISE_MISMATCH.exec(e.message)
    if (match !== null) return { kind: 'wrong-peer', answered: peerIdOrUndefined(match[1]) }
    if (e.name === 'UnexpectedPeerError') return { kind: 'wrong-peer', answered: undefined }
  }
  // An AggregateError's own message ("All multiaddr dials failed") says less than its first member's.
  const specific = errors.find(e => !(e instanceof AggregateError)) ?? errors[0]
  const reason = (specific?.message ?? String(err)).split('\n')[0] ?? ''
  return { kind: 'unreachable', reason: reason === '' ? 'no answer' : reason }
}

/** The warning for a bootstrap peer that cannot be reached. */
export const unreachableText = (peerId: string, addresses: string[], reason: string): string =>
  `bootstrap peer ${peerId} is unreachable at ${addresses.join(', ')}: ${reason}; the node keeps retrying and logs when it is reached`

/** The info line when it is reached again. */
export const reachedAgainText = (peerId: string, downSeconds: number): string =>
  `bootstrap peer ${peerId} is reachable again after ${downSeconds} s`

/** The warning for a bootstrap address that answered as another peer. */
export const wrongPeerText = (addresses: string[], expected: string, answered: string | undefined): string =>
  `bootstrap address ${addresses.join(', ')} answered as ${answered === undefined ? 'another peer' : `peer ${answered}`}, not ${expected}: ` +
  'correct the /p2p/ part of the bootstrap address (sorcha-peer id on the bootstrap node prints its id)'

/** Tracks each bootstrap peer's outage and logs its start and end once. */
export class BootstrapWatch {
  private readonly log: Logger
  private readonly clock: () => number
  /**
   * Bootstrap peers in trouble: the problems warned of in this outage, and since when. An outage ends
   * only when the peer is reached, so a misidentified peer that also goes down and comes back (still
   * the wrong peer) is not warned of again.
   */
  private readonly down = new Map<string, { warned: Set<string>, since: number }>()
  private readonly addresses: ReadonlyMap<string, string[]>

  constructor (bootstrap: ReadonlyArray<{ peerId: string, addresses: string[] }>, log: Logger, clock: () => number = Date.now) {
    this.addresses = new Map(bootstrap.map(b => [b.peerId, b.addresses]))
    this.log = log
    this.clock = clock
  }

  /** A dial of bootstrap peer `peerId` failed with `err`: warns unless this problem was warned of already. */
  failed (peerId: string, err: unknown): DialProblem | undefined {
    const addresses = this.addresses.get(peerId)
    if (addresses === undefined) return undefined
    const problem = dialProblem(err)
    const key = problem.kind === 'wrong-peer' ? `wrong-peer:${problem.answered ?? '?'}` : 'unreachable'
    const outage = this.down.get(peerId) ?? { warned: new Set<string>(), since: this.clock() }
    this.down.set(peerId, outage)
    if (outage.warned.has(key)) return problem
    outage.warned.add(key)
    if (problem.kind === 'wrong-peer') {
      this.log.warn({ addresses, expected: peerId, ...(problem.answered === undefined ? {} : { answered: problem.answered }) }, wrongPeerText(addresses, peerId, problem.answered))
    } else {
      this.log.warn({ peer: peerId, addresses, reason: problem.reason }, unreachableText(peerId, addresses, problem.reason))
    }
    return problem
  }

  /** A connection with `peerId` opened: ends its outage, if it had one. */
  reached (peerId: string): void {
    const outage = this.down.get(peerId)
    if (outage === undefined) return
    this.down.delete(peerId)
    const downMs = this.clock() - outage.since
    this.log.info({ peer: peerId, downMs }, reachedAgainText(peerId, Math.round(downMs / 1000)))
  }

  /** Bootstrap peers currently warned of (for tests and status). */
  get troubled (): string[] {
    return [...this.down.keys()]
  }
}
