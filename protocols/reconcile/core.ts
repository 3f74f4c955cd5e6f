/**
 * The reconciliation core (protocols/tx-gossip/SPEC.md §9): a deterministic state machine, no I/O,
 * no clock, no randomness of its own. It indexes what the node holds, decides when to reconcile with
 * whom (a connection this node opened, a periodic round, a cascade after a catch-up, a resync when
 * connectivity returns), runs the sessions (ranges.ts), and asks its runtime to pull what the node
 * lacks (`need`). The node (src/gossip/reconcile) and the simulator drive this same code.
 */
import type { Core } from '../common/effects.ts'
import type { Rng } from '../common/rng.ts'
import { resolveReconcileConfig } from './config.ts'
import { ItemIndex } from './item-index.ts'
import { PendingNeeds } from './pending.ts'
import { answerRanges, openingRanges, type StepContext } from './ranges.ts'
import { Buckets, LastSeen, sessionKey, Sessions, type Session } from './sessions.ts'
import type { PeerHandle, ReconcileConfig, ReconcileEffect, ReconcileInput, ReconcileMessage, ReconcileStats, ReconcileVerdictCode, TxKey } from './types.ts'
import { checkOpen, checkRanges, isWord } from './validate.ts'

/** A reconciliation core: the Core contract plus read-only views. */
export interface ReconcileCore<P extends PeerHandle = string> extends Core<ReconcileInput<P>, ReconcileEffect<P>> {
  readonly config: Readonly<ReconcileConfig>
  /** True if the index holds `id`. */
  holds: (id: TxKey) => boolean
  stats: () => ReconcileStats
  peers: () => readonly P[]
}

type Out = Array<ReconcileEffect<PeerHandle>>
type Wanted = { peer: PeerHandle, scope: string, cascade: boolean }
type RangesMessage = Extract<ReconcileMessage, { type: 'ranges' }>

const WORD = 0x100000000
/** Sessions a peer may open on one scope in a burst, before minInboundGapMs applies (SPEC.md §9.6). */
const INBOUND_BURST = 4
const MAX_SESSION_ID = 0xffffffff

class DefaultReconcileCore<P extends PeerHandle> implements ReconcileCore<P> {
  readonly config: Readonly<ReconcileConfig>
  private readonly rng: Rng
  private readonly index: ItemIndex
  private readonly sessions = new Sessions()
  private readonly pending: PendingNeeds<PeerHandle>
  private readonly neighbours: PeerHandle[] = []
  private readonly outboundAt: LastSeen<string>
  private readonly inboundAt: Buckets<string>
  private readonly queue: Wanted[] = []
  private readonly cascadeExclude = new Set<PeerHandle>()
  private cascadeArmed = false
  private nextRoundAt: number | undefined
  private nextSessionId = 1
  private lastScheduled: number | undefined
  private readonly counters = { sessionsStarted: 0, sessionsAnswered: 0, sessionsCompleted: 0, sessionsFailed: 0, messagesSent: 0, roundsMax: 0, needs: 0, haves: 0, hashes: 0 }
  private readonly holdsFn = (id: TxKey): boolean => this.index.has(id)

  constructor (config: Readonly<ReconcileConfig>, rng: Rng) {
    this.config = config
    this.rng = rng
    this.index = new ItemIndex(config.scopes, config.maxItems)
    this.pending = new PendingNeeds(config.maxPendingNeeds, config.pullTimeoutMs)
    this.outboundAt = new LastSeen(4 * config.maxPeers * config.scopes.length)
    this.inboundAt = new Buckets(4 * config.maxPeers * config.scopes.length, INBOUND_BURST, config.minInboundGapMs)
  }

  handle (input: ReconcileInput<P>): Array<ReconcileEffect<P>> {
    const out: Out = []
    this.dispatch(input as ReconcileInput<PeerHandle>, out)
    this.maybeCascade(out)
    this.pump(input.now, out)
    const wakeup = this.nextWakeup()
    if (wakeup !== this.lastScheduled) {
      this.lastScheduled = wakeup
      if (wakeup !== undefined) out.push({ type: 'schedule', at: wakeup })
    }
    return out as Array<ReconcileEffect<P>>
  }

  nextWakeup (): number | undefined {
    let at = this.sessions.nextDeadline()
    const expiry = this.pending.nextExpiry()
    if (expiry !== undefined && (at === undefined || expiry < at)) at = expiry
    if (this.nextRoundAt !== undefined && this.neighbours.length > 0 && (at === undefined || this.nextRoundAt < at)) at = this.nextRoundAt
    return at
  }

  holds (id: TxKey): boolean { return this.index.has(id) }

  peers (): readonly P[] { return this.neighbours as P[] }

  stats (): ReconcileStats {
    return { ...this.counters, indexed: this.index.size, pendingNeeds: this.pending.size, peers: this.neighbours.length }
  }

  private dispatch (input: ReconcileInput<PeerHandle>, out: Out): void {
    const now = input.now
    switch (input.type) {
      case 'tick': return this.tick(now, out)
      case 'peer-up': return this.peerUp(input.peer, input.outbound, now)
      case 'peer-down': return this.peerDown(input.peer, out)
      case 'add':
        if (this.index.add(input.item)) this.pending.arrived(input.item.id)
        return
      case 'load':
        for (const id of this.index.load(input.items)) this.pending.arrived(id)
        return
      case 'remove': this.index.remove(input.id); return
      case 'message': return this.onMessage(input.from, input.message, now, out)
      case 'resync':
        for (const peer of this.rng.sample(this.neighbours, this.config.resyncPeers)) this.want(peer, true)
        return
      case 'invalid': return this.verdict(out, input.from, 'reject', input.code)
      case 'connect':
        if (this.config.onConnect && this.neighbours.includes(input.peer)) this.want(input.peer, false)
    }
  }

  private tick (now: number, out: Out): void {
    for (const s of [...this.sessions.values()]) {
      if (s.deadline > now) continue
      out.push({ type: 'trace', event: 'session-timeout', data: { peer: s.peer, scope: s.scope } })
      this.end(s, false, out)
    }
    this.pending.expire(now)
    if (this.nextRoundAt === undefined || now < this.nextRoundAt) return
    this.scheduleRound(now)
    const peer = this.rng.pick(this.neighbours)
    if (peer !== undefined) this.want(peer, false)
  }

  private scheduleRound (now: number): void {
    const interval = this.config.intervalMs
    this.nextRoundAt = interval > 0 ? now + Math.round(interval * (0.5 + this.rng.next())) : undefined
  }

  private peerUp (peer: PeerHandle, outbound: boolean, now: number): void {
    if (this.neighbours.length >= this.config.maxPeers || this.neighbours.includes(peer)) return
    this.neighbours.push(peer)
    if (this.nextRoundAt === undefined) this.scheduleRound(now)
    if (outbound && this.config.onConnect) this.want(peer, false)
  }

  private peerDown (peer: PeerHandle, out: Out): void {
    const at = this.neighbours.indexOf(peer)
    if (at < 0) return
    this.neighbours.splice(at, 1)
    for (const s of [...this.sessions.values()]) if (s.peer === peer) this.end(s, false, out)
    for (let i = this.queue.length - 1; i >= 0; i--) if (this.queue[i]!.peer === peer) this.queue.splice(i, 1)
    const dropped = this.pending.dropSource(peer)
    if (dropped > 0) out.push({ type: 'trace', event: 'needs-dropped', data: { peer, needs: dropped } })
  }

  /** Queues outbound sessions with `peer`, one per served scope. */
  private want (peer: PeerHandle, cascade: boolean): void {
    for (const scope of this.config.scopes) {
      const queued = this.queue.find(w => w.peer === peer && w.scope === scope)
      if (queued !== undefined) queued.cascade ||= cascade
      else if (this.queue.length < this.config.maxPeers * this.config.scopes.length) this.queue.push({ peer, scope, cascade })
    }
  }

  /** Starts queued sessions while outbound slots are free and nothing is being pulled. */
  private pump (now: number, out: Out): void {
    while (this.sessions.outbound < this.config.maxOutboundSessions && this.pending.size === 0 && this.queue.length > 0) {
      const { peer, scope, cascade } = this.queue.shift() as Wanted
      if (!this.neighbours.includes(peer) || this.sessions.running(peer, scope)) continue
      const gapKey = `${typeof peer}:${peer}|${scope}`
      const last = this.outboundAt.get(gapKey)
      if (!cascade && last !== undefined && now - last < this.config.minPeerGapMs) continue
      this.outboundAt.set(gapKey, now)
      this.start(peer, scope, now, out)
    }
  }

  private start (peer: PeerHandle, scope: string, now: number, out: Out): void {
    // Up to now: what was published just before a heal is reconciled too (settleMs only keeps
    // needs that may still be in flight from starting a cascade, see onRanges).
    const until = Math.max(1, Math.floor(now))
    const since = Math.max(0, until - this.config.windowMs)
    const sipKey = [this.rng.int(WORD), this.rng.int(WORD), this.rng.int(WORD), this.rng.int(WORD)] as const
    const id = this.nextSessionId
    this.nextSessionId = id >= MAX_SESSION_ID ? 1 : id + 1
    const session: Session = { key: sessionKey(true, peer, id), peer, id, initiator: true, scope, since, until, sipKey, rounds: 0, deadline: now + this.config.sessionTimeoutMs, needs: 0, settledNeeds: 0, haves: 0 }
    const step = openingRanges(this.context(session))
    this.sessions.add(session)
    this.counters.sessionsStarted++
    this.counters.hashes += step.hashes
    out.push({ type: 'trace', event: 'session-start', data: { peer, scope, held: this.index.size } })
    this.send(out, peer, { type: 'ranges', session: id, initiator: true, open: { scope, since, until, key: sipKey }, ranges: step.ranges })
  }

  private context (s: Session): StepContext {
    // A session exists only for a scope this node serves.
    return { items: this.index.scope(s.scope)!, key: s.sipKey, since: s.since, until: s.until, config: this.config, holds: this.holdsFn, settledBefore: s.until - this.config.settleMs }
  }

  private onMessage (from: PeerHandle, message: ReconcileMessage, now: number, out: Out): void {
    if (!isWord(message.session)) return this.verdict(out, from, 'ignore', 'unknown-session')
    if (message.type === 'refuse') {
      const s = this.sessions.get(sessionKey(true, from, message.session))
      if (s === undefined) return this.verdict(out, from, 'ignore', 'unexpected-refuse')
      out.push({ type: 'trace', event: 'session-refused', data: { peer: from, reason: message.reason } })
      return this.end(s, false, out)
    }
    let s = this.sessions.get(sessionKey(!message.initiator, from, message.session))
    if (s === undefined) {
      if (!message.initiator || message.open === undefined) return this.verdict(out, from, 'ignore', 'unknown-session')
      s = this.accept(from, message, now, out)
      if (s === undefined) return
    } else if (message.open !== undefined) {
      this.verdict(out, from, 'reject', 'bad-open')
      return this.end(s, false, out)
    }
    this.onRanges(s, message, now, out)
  }

  /** A new session from `from`: refused if this node does not serve the scope, is busy, or `from` asks too often. */
  private accept (from: PeerHandle, message: RangesMessage, now: number, out: Out): Session | undefined {
    const open = message.open!
    const bad = checkOpen(open)
    if (bad !== undefined) { this.verdict(out, from, 'reject', bad); return undefined }
    const refuse = (reason: 'busy' | 'not-served' | 'too-frequent'): undefined => {
      this.send(out, from, { type: 'refuse', session: message.session, reason })
      return undefined
    }
    if (!this.index.serves(open.scope)) return refuse('not-served')
    if (this.sessions.inbound >= this.config.maxInboundSessions) return refuse('busy')
    if (!this.inboundAt.take(`${typeof from}:${from}|${open.scope}`, now)) {
      this.verdict(out, from, 'ignore', 'session-too-frequent')
      return refuse('too-frequent')
    }
    const { scope, since, until, key } = open
    const session: Session = { key: sessionKey(false, from, message.session), peer: from, id: message.session, initiator: false, scope, since, until, sipKey: [key[0], key[1], key[2], key[3]], rounds: 0, deadline: 0, needs: 0, settledNeeds: 0, haves: 0 }
    this.sessions.add(session)
    this.counters.sessionsAnswered++
    return session
  }

  private onRanges (s: Session, message: RangesMessage, now: number, out: Out): void {
    const bad = checkRanges(message.ranges, s.since, s.until, this.config)
    if (bad !== undefined) {
      this.verdict(out, s.peer, 'reject', bad)
      return this.end(s, false, out)
    }
    s.rounds++
    this.counters.roundsMax = Math.max(this.counters.roundsMax, s.rounds)
    if (s.rounds > this.config.maxRounds) {
      this.verdict(out, s.peer, 'ignore', 'too-many-rounds')
      out.push({ type: 'trace', event: 'session-abandoned', data: { peer: s.peer, rounds: s.rounds } })
      return this.end(s, false, out)
    }
    s.deadline = now + this.config.sessionTimeoutMs
    const step = answerRanges(this.context(s), message.ranges)
    this.counters.hashes += step.hashes
    this.counters.haves += step.haves
    s.haves += step.haves
    const needs = this.pending.add(step.needs, now, s.peer)
    s.settledNeeds += step.settledNeeds
    if (needs.length > 0) {
      s.needs += needs.length
      this.counters.needs += needs.length
      out.push({ type: 'need', peer: s.peer, items: needs })
    }
    // A message that asks nothing (no fingerprint, no id list) is the session's last.
    if (message.ranges.every(r => r.mode === 'skip' || r.mode === 'have')) return this.end(s, true, out)
    this.send(out, s.peer, { type: 'ranges', session: s.id, initiator: s.initiator, ranges: step.ranges })
    if (step.final) this.end(s, true, out)
  }

  private end (s: Session, completed: boolean, out: Out): void {
    if (!this.sessions.delete(s)) return
    if (completed) this.counters.sessionsCompleted++
    else this.counters.sessionsFailed++
    out.push({ type: 'trace', event: 'session-end', data: { peer: s.peer, scope: s.scope, rounds: s.rounds, needs: s.needs, haves: s.haves, completed } })
    if (s.settledNeeds > 0 && this.config.cascade) {
      this.cascadeArmed = true
      this.cascadeExclude.add(s.peer)
    }
  }

  /** Once what a session found has arrived, the other neighbours may lack it too (SPEC.md §9.2). */
  private maybeCascade (out: Out): void {
    if (!this.cascadeArmed || this.pending.size > 0) return
    this.cascadeArmed = false
    let peers = 0
    for (const peer of this.neighbours) {
      if (this.cascadeExclude.has(peer)) continue
      this.want(peer, true)
      peers++
    }
    this.cascadeExclude.clear()
    out.push({ type: 'trace', event: 'cascade', data: { peers } })
  }

  private send (out: Out, peer: PeerHandle, message: ReconcileMessage): void {
    this.counters.messagesSent++
    out.push({ type: 'send', peer, message })
  }

  private verdict (out: Out, peer: PeerHandle, verdict: 'accept' | 'ignore' | 'reject', code: ReconcileVerdictCode): void {
    out.push({ type: 'verdict', peer, verdict, code })
  }
}

/** Creates a core from a (partial) configuration and a seeded Rng; throws ReconcileConfigError for bad values. */
export function createReconcileCore<P extends PeerHandle = string> (config: Partial<ReconcileConfig>, rng: Rng): ReconcileCore<P> {
  return new DefaultReconcileCore<P>(resolveReconcileConfig(config), rng)
}
