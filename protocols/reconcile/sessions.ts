/**
 * Reconciliation sessions (SPEC.md §9.2): a session is one scope reconciled with one peer, from the
 * initiator's opening message to a message that asks nothing more. Both sides hold a record, keyed
 * by role, peer and the initiator's session number; a record dies with its last message, a refusal,
 * a bad message, the peer's disconnection or its timeout.
 */
import type { SipKey } from './siphash.ts'
import type { PeerHandle } from './types.ts'

/** One session as one side sees it. */
export interface Session {
  readonly key: string
  readonly peer: PeerHandle
  readonly id: number
  /** True on the side that opened it. */
  readonly initiator: boolean
  readonly scope: string
  readonly since: number
  readonly until: number
  readonly sipKey: SipKey
  rounds: number
  deadline: number
  needs: number
  /** Needs older than settleMs (they cannot be in flight by push): these start a cascade. */
  settledNeeds: number
  haves: number
}

/** The key of a session record. */
export const sessionKey = (initiator: boolean, peer: PeerHandle, id: number): string =>
  `${initiator ? 'o' : 'i'}:${typeof peer}:${peer}:${id}`

/** The open sessions, with counts per role. */
export class Sessions {
  private readonly all = new Map<string, Session>()
  outbound = 0
  inbound = 0

  get (key: string): Session | undefined { return this.all.get(key) }

  values (): IterableIterator<Session> { return this.all.values() }

  add (session: Session): void {
    this.all.set(session.key, session)
    if (session.initiator) this.outbound++
    else this.inbound++
  }

  delete (session: Session): boolean {
    if (!this.all.delete(session.key)) return false
    if (session.initiator) this.outbound--
    else this.inbound--
    return true
  }

  /** True if this node runs an outbound session with `peer` on `scope`. */
  running (peer: PeerHandle, scope: string): boolean {
    for (const s of this.all.values()) if (s.initiator && s.peer === peer && s.scope === scope) return true
    return false
  }

  /** The earliest deadline. */
  nextDeadline (): number | undefined {
    let min: number | undefined
    for (const s of this.all.values()) if (min === undefined || s.deadline < min) min = s.deadline
    return min
  }
}

/**
 * Token buckets per key (bounded, oldest forgotten first): `take` succeeds while the key has a
 * token; it holds at most `burst` and gains one every `refillMs`.
 */
export class Buckets<K> {
  private readonly max: number
  private readonly burst: number
  private readonly refillMs: number
  private readonly buckets = new Map<K, { tokens: number, at: number }>()

  constructor (max: number, burst: number, refillMs: number) {
    this.max = max
    this.burst = burst
    this.refillMs = refillMs
  }

  take (key: K, now: number): boolean {
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now }
    this.buckets.delete(key)
    const gained = this.refillMs === 0 ? this.burst : Math.floor((now - bucket.at) / this.refillMs)
    if (gained > 0) {
      bucket.tokens = Math.min(this.burst, bucket.tokens + gained)
      bucket.at = bucket.tokens === this.burst ? now : bucket.at + gained * this.refillMs
    }
    const ok = bucket.tokens > 0
    if (ok) bucket.tokens--
    this.buckets.set(key, bucket)
    if (this.buckets.size > this.max) this.buckets.delete(this.buckets.keys().next().value as K)
    return ok
  }
}

/** A bounded map of the last time something happened per key (oldest forgotten first). */
export class LastSeen<K> {
  private readonly max: number
  private readonly times = new Map<K, number>()

  constructor (max: number) {
    this.max = max
  }

  get (key: K): number | undefined { return this.times.get(key) }

  set (key: K, at: number): void {
    this.times.delete(key)
    this.times.set(key, at)
    if (this.times.size > this.max) this.times.delete(this.times.keys().next().value as K)
  }
}
