/**
 * The persisted peer list: LevelDB records with indexes (peer-store.ts), merged and scored by the
 * peer-health core (protocols/peer-health/SPEC.md).
 *
 * Concurrency: every write runs through one queue, one at a time: read the record, apply the core
 * rule, commit record + indexes in one batch, update the in-memory mirrors, emit events. Per-peer
 * locks would allow more parallelism, but eviction and the size bound couple different peers, and
 * a LevelDB write takes well under a millisecond, so one queue is simpler and fast enough.
 *
 * Reads of single records come from an in-memory mirror of every record (the list is bounded by
 * peers.maxKnown; loading reads every record anyway). Most observations are hearsay about peers we
 * already know and change nothing; answering them from memory keeps them off LevelDB (and off the
 * libuv thread pool, which every database in the process shares). Ordered listings still come from
 * the persisted indexes.
 */
import PQueue from 'p-queue'
import { TypedEventEmitter } from 'main-event'
import { PeerNode, PeerSource, PeerStatus, isPeerId, modelEquals } from '../../protocols/models/index.ts'
import {
  applyBan, applyDialing, applyFailure, applySuccess, applyUnban, chooseEviction, isBanActive, isBanExpired,
  lowestValued, mergeObservation, removalReason, withScore, type BanInput, type HealthRules
} from '../../protocols/peer-health/index.ts'
import { logger, type Logger } from '../logging/index.ts'
import type { Sublevel } from '../storage/index.ts'
import { BanBook } from './ban-book.ts'
import { changeEvents } from './change-events.ts'
import { emptyStatusCounts, statusName, type StatusName } from './names.ts'
import { EVICTABLE, EVICTION_CANDIDATES_PER_STATUS, MAX_PENDING_WRITES, MAX_TIMER_DELAY_MS, PRUNE_SCAN_LIMIT } from './constants.ts'
import { PeerListBusyError, PeerListNotStartedError } from './errors.ts'
import { PeerStore } from './peer-store.ts'
import type {
  PeerList, PeerListCallOptions, PeerListEvents, PeerObservation, PeerQuery, PrunedPeer, StatusCounts
} from './types.ts'

/** What a peer list needs. */
export interface PeerListInit {
  /** The `peers` sublevel of the node's database. */
  db: Sublevel
  /** This node's peer id: observations of it are refused. */
  selfPeerId: string
  /** `peers.maxKnown`. */
  maxKnown: number
  /** `health.*` rules. */
  rules: HealthRules
  /** Clock for ban expiry and remove(); @default Date.now */
  clock?: () => number
  /** @default MAX_PENDING_WRITES */
  maxPendingWrites?: number
}

const same = (a: PeerNode, b: PeerNode): boolean => modelEquals(PeerNode, a, b)

/** The default PeerList on LevelDB. start() loads it; stop() drains pending writes. */
export class DefaultPeerList extends TypedEventEmitter<PeerListEvents> implements PeerList {
  readonly store: PeerStore
  private readonly init: PeerListInit
  private readonly clock: () => number
  private readonly queue = new PQueue({ concurrency: 1 })
  private readonly bans = new BanBook()
  /** Every valid record, by peer id; kept in step with the database by commit(). */
  private readonly records = new Map<string, PeerNode>()
  private readonly log: Logger
  private counts = emptyStatusCounts()
  private total = 0
  private state: 'stopped' | 'starting' | 'started' | 'stopping' = 'stopped'
  private loading: Promise<void> = Promise.resolve()
  private banTimer: ReturnType<typeof setTimeout> | undefined

  constructor (init: PeerListInit) {
    super()
    this.init = init
    this.clock = init.clock ?? Date.now
    this.store = new PeerStore(init.db)
    this.log = logger('sorcha:peers')
  }

  /** Loads the list from the database (which must be open). Idempotent. */
  async start (): Promise<void> {
    if (this.state === 'started' || this.state === 'starting') return this.loading
    this.state = 'starting'
    this.loading = this.load().then(() => {
      this.state = 'started'
      this.armBanTimer()
    }, (err: unknown) => {
      this.state = 'stopped'
      throw err
    })
    return this.loading
  }

  /** libp2p calls this before starting any service: bans are loaded before a transport listens. */
  async beforeStart (): Promise<void> {
    await this.start()
  }

  /** Finishes pending writes and stops the ban timer. Idempotent. */
  async stop (): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping') return
    await this.loading.catch(() => {})
    this.state = 'stopping'
    clearTimeout(this.banTimer)
    this.banTimer = undefined
    await this.queue.onIdle()
    this.state = 'stopped'
  }

  async get (peerId: string, options?: PeerListCallOptions): Promise<PeerNode | undefined> {
    await this.ready(options)
    return this.records.get(peerId)
  }

  async list (query: PeerQuery = {}, options?: PeerListCallOptions): Promise<PeerNode[]> {
    await this.ready(options)
    return this.store.list(query)
  }

  size (): number {
    return this.total
  }

  countByStatus (): StatusCounts {
    return { ...this.counts }
  }

  isBanned (peerId: string, now: number): boolean {
    return this.bans.isBanned(peerId, now)
  }

  async observe (observation: PeerObservation, options?: PeerListCallOptions): Promise<PeerNode | undefined> {
    if (!isPeerId(observation.peerId) || observation.peerId === this.init.selfPeerId) return undefined
    return this.enqueue(options, async () => (await this.merge(observation)).node)
  }

  async observeMany (observations: PeerObservation[], options?: PeerListCallOptions): Promise<number> {
    const usable = observations.filter(o => isPeerId(o.peerId) && o.peerId !== this.init.selfPeerId)
    if (usable.length === 0) return 0
    return this.enqueue(options, async () => {
      let added = 0
      for (const observation of usable) if ((await this.merge(observation)).added) added++
      return added
    })
  }

  snapshot (statuses?: readonly PeerStatus[]): PeerNode[] {
    const all = [...this.records.values()]
    if (statuses === undefined) return all
    const wanted = new Set<number>(statuses)
    return all.filter(node => wanted.has(node.status))
  }

  async recordSuccess (peerId: string, result: { now: number, latencyMs?: number }, options?: PeerListCallOptions): Promise<PeerNode | undefined> {
    return this.update(peerId, options, node => applySuccess(node, result))
  }

  async recordFailure (peerId: string, result: { now: number, reason: string }, options?: PeerListCallOptions): Promise<PeerNode | undefined> {
    return this.update(peerId, options, node => applyFailure(node, result, this.init.rules))
  }

  async recordDialing (peerId: string, result: { now: number }, options?: PeerListCallOptions): Promise<PeerNode | undefined> {
    return this.update(peerId, options, node => applyDialing(node, result.now))
  }

  async ban (peerId: string, ban: BanInput, options?: PeerListCallOptions): Promise<PeerNode | undefined> {
    if (!isPeerId(peerId) || peerId === this.init.selfPeerId) return undefined
    return this.enqueue(options, async () => {
      const before = this.records.get(peerId)
      const base = before ?? withScore(PeerNode.fromPartial({ peerId, firstSeenMs: ban.now, source: PeerSource.PEER_SOURCE_UNKNOWN }))
      const after = applyBan(base, ban)
      if (before === undefined) return this.admit(after, ban.now, true)
      await this.commit(before, after)
      return after
    })
  }

  async unban (peerId: string, options: { now: number, forget?: boolean, signal?: AbortSignal }): Promise<PeerNode | undefined> {
    return this.update(peerId, options, node => applyUnban(node, { forget: options.forget }))
  }

  /** Removes an entry; an entry under an active ban is kept (unban it first) so that bans survive. */
  async remove (peerId: string, reason: string, options?: PeerListCallOptions): Promise<boolean> {
    return this.enqueue(options, async () => {
      const before = this.records.get(peerId)
      if (before === undefined || isBanActive(before, this.clock())) return false
      await this.commit(before, undefined, reason)
      return true
    })
  }

  async prune (options: { now: number, peerIds?: string[], watchingSinceMs?: number, signal?: AbortSignal }): Promise<PrunedPeer[]> {
    return this.enqueue(options, async () => {
      const cutoff = options.now - this.init.rules.removeAfterUnseenMs + 1
      const stale = (options.watchingSinceMs ?? 0) < cutoff ? await this.store.staleIds(cutoff, PRUNE_SCAN_LIMIT) : []
      const ids = [...new Set([...(options.peerIds ?? []).slice(0, PRUNE_SCAN_LIMIT), ...stale])]
      const removed: PrunedPeer[] = []
      for (const node of await this.store.getMany(ids)) {
        const reason = removalReason(node, options.now, this.init.rules, options.watchingSinceMs)
        if (reason === undefined) continue
        await this.commit(node, undefined, reason)
        removed.push({ peerId: node.peerId, reason })
      }
      return removed
    })
  }

  /** Reads every record once: counts, bans; skips invalid ones with a warning; repairs indexes if needed. */
  private async load (): Promise<void> {
    this.counts = emptyStatusCounts()
    this.total = 0
    this.bans.clear()
    this.records.clear()
    let skipped = 0
    for await (const record of this.store.records()) {
      if (record.ok) {
        this.account(undefined, record.node)
        continue
      }
      skipped++
      this.log.warn({ key: record.key, field: record.field, reason: record.reason }, 'skipping an invalid peer record')
    }
    if (skipped > 0 || await this.store.indexedCount() !== this.total) {
      this.log.warn({ records: this.total, skipped }, 'rebuilding the peer list indexes')
      await this.store.rebuildIndexes()
    }
    this.log.debug({ peers: this.total, banned: this.counts.banned }, 'peer list loaded')
  }

  private async ready (options?: PeerListCallOptions): Promise<void> {
    options?.signal?.throwIfAborted()
    if (this.state === 'starting') await this.loading
    else if (this.state !== 'started') throw new PeerListNotStartedError('the peer list is not started')
  }

  private async enqueue<T> (options: PeerListCallOptions | undefined, job: () => Promise<T>): Promise<T> {
    await this.ready(options)
    const max = this.init.maxPendingWrites ?? MAX_PENDING_WRITES
    if (this.queue.size + this.queue.pending >= max) throw new PeerListBusyError(`the peer list has ${max} writes pending`)
    return this.queue.add(job, { signal: options?.signal })
  }

  private async update (peerId: string, options: PeerListCallOptions | undefined, change: (node: PeerNode) => PeerNode): Promise<PeerNode | undefined> {
    return this.enqueue(options, async () => {
      const before = this.records.get(peerId)
      if (before === undefined) return undefined
      const after = change(before)
      if (!same(before, after)) await this.commit(before, after)
      return after
    })
  }

  /** Applies one observation (inside the queue): merged by the core rules, committed only if it changed something. */
  private async merge (observation: PeerObservation): Promise<{ node: PeerNode | undefined, added: boolean }> {
    const before = this.records.get(observation.peerId)
    const result = mergeObservation(before, observation, this.init.selfPeerId)
    if (!result.ok) return { node: undefined, added: false }
    if (before === undefined) {
      const node = await this.admit(result.node, observation.now, false)
      return { node, added: node !== undefined }
    }
    if (!same(before, result.node)) await this.commit(before, result.node)
    return { node: result.node, added: false }
  }

  /** Adds a new record, evicting one when full; `force` (bans) evicts whatever ranks lowest. */
  private async admit (node: PeerNode, now: number, force: boolean): Promise<PeerNode | undefined> {
    let victim: PeerNode | undefined
    if (this.total >= this.init.maxKnown) {
      const candidates = await this.store.lowestPerStatus(EVICTABLE, EVICTION_CANDIDATES_PER_STATUS)
      victim = force ? lowestValued(candidates, now, node.peerId) : chooseEviction(candidates, node, now)
      if (victim === undefined) {
        this.log.debug({ peer: node.peerId, force }, 'peer list full; new peer refused')
        return undefined
      }
    }
    await this.commit(undefined, node, 'evicted', victim)
    return node
  }

  private async commit (before: PeerNode | undefined, after: PeerNode | undefined, reason = 'removed', victim?: PeerNode): Promise<void> {
    await this.store.write([...(victim === undefined ? [] : this.store.ops(victim, undefined)), ...this.store.ops(before, after)])
    if (victim !== undefined) {
      this.account(victim, undefined)
      this.safeDispatchEvent('peer:removed', { detail: { peerId: victim.peerId, reason: 'evicted' } })
    }
    this.account(before, after)
    for (const event of changeEvents(before, after, reason)) this.safeDispatchEvent(event.type, { detail: event.detail as never })
    if (before?.status === PeerStatus.PEER_STATUS_BANNED || after?.status === PeerStatus.PEER_STATUS_BANNED) this.armBanTimer()
  }

  private account (before: PeerNode | undefined, after: PeerNode | undefined): void {
    if (before !== undefined) {
      this.counts[statusName(before.status) as StatusName]--
      this.total--
    }
    if (after !== undefined) {
      this.counts[statusName(after.status) as StatusName]++
      this.total++
    }
    const peerId = after?.peerId ?? before?.peerId ?? ''
    if (after === undefined) this.records.delete(peerId)
    else this.records.set(peerId, after)
    this.bans.set(peerId, after?.status === PeerStatus.PEER_STATUS_BANNED, after?.bannedUntilMs ?? 0)
  }

  /** One timer for the earliest timed-ban expiry; re-armed whenever bans change. */
  private armBanTimer (): void {
    clearTimeout(this.banTimer)
    this.banTimer = undefined
    const next = this.bans.nextExpiry()
    if (next === undefined || this.state !== 'started') return
    this.banTimer = setTimeout(() => {
      this.banTimer = undefined
      this.expireBans().catch((err: unknown) => { this.log.debug({ err }, 'ban expiry pass did not run') })
    }, Math.min(MAX_TIMER_DELAY_MS, Math.max(0, next - this.clock())))
    this.banTimer.unref()
  }

  private async expireBans (): Promise<void> {
    const now = this.clock()
    await this.enqueue(undefined, async () => {
      for (const peerId of this.bans.expired(now)) {
        const before = this.records.get(peerId)
        if (before === undefined) this.bans.set(peerId, false, 0)
        else if (isBanExpired(before, now)) await this.commit(before, applyUnban(before))
      }
    })
    this.armBanTimer()
  }
}
