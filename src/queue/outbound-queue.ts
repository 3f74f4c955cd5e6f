/**
 * The durable outbound queue (docs/architecture.md, "Durability"). A submission is acknowledged only
 * once one synced LevelDB batch holds both the transaction (the store's records) and its queue
 * record (sublevel "queue"); concurrent submissions share batches (group-commit.ts). A record stays
 * until k peers report holding the transaction (tx-have.ts), so after a crash or kill -9 the queue
 * reloads every unconfirmed one and sends it again once the node can send.
 *
 * Per transaction: `queued` (on disk, not handed to a peer in this process yet) -> `announced`
 * (handed to the gossip strategy while it had a peer for the register) -> confirmed (record deleted;
 * the store still holds the transaction, published here with hop count 0). Announced ones are
 * checked after retryInitialMs, then with exponential backoff up to retryMaxMs (equal jitter,
 * protocols/common/backoff.ts); a check asks up to CONFIRM_PEERS_MAX peers and sends the
 * transaction again to those that lack it.
 *
 * Flushing (flusher.ts) runs whenever something may let more go out: a submission, a peer or a
 * subscription appearing, the connectivity service turning online or degraded, the strategy's
 * channels draining. Without a connectivity service, the node can send when a peer is connected.
 * Bounded: queue.maxDepth records and queue.maxBytes payload bytes (QueueFullError beyond).
 */
import type { Transaction } from '../../protos/gen/sorcha/p2p/v1/tx_gossip.ts'
import { QueueRecord } from '../../protos/gen/sorcha/p2p/v1/tx_queue.ts'
import type { Logger } from '../logging/index.ts'
import type { Sublevel } from '../storage/index.ts'
import type { BatchOp, NewTx, PersistOptions, StoredTx } from '../gossip/store/tx-store.ts'
import { QueueFullError } from './errors.ts'
import { GroupCommit } from './group-commit.ts'
import { Flusher, type QueueEntry } from './flusher.ts'
import type { HaveQuery, QueueConfig, QueueStats, QueueTransport, TxState } from './types.ts'

/** The store operations the queue uses (TxStore satisfies it). */
export interface QueueStore {
  putMany: (items: readonly NewTx[], options: PersistOptions) => Promise<void>
  get: (id: string) => Promise<StoredTx | undefined>
}

/** Options of the queue. */
export interface OutboundQueueInit {
  /** The queue's sublevel (QUEUE_SUBLEVEL) of the same database as the store. */
  db: Sublevel
  store: QueueStore
  config: Readonly<QueueConfig>
  log: Logger
  /** The clock. @default Date.now */
  now?: () => number
  /** Seed of the retry jitter and the choice of peers to ask. @default random */
  seed?: number
  /** Told of each transaction confirmed: the peers that reported holding it, and when it was queued. */
  onConfirmed?: (confirmed: { id: string, holders: string[], queuedAtMs: number }) => void
}

/** What start() connects the queue to. */
export interface QueueLinks {
  transport: QueueTransport
  have: HaveQuery
  /** True when the node may send (connectivity online or degraded; or, without one, a peer is connected). */
  sending: () => boolean
}

const TIME_DIGITS = 15
const recordKey = (queuedAtMs: number, id: string): string => `q:${String(queuedAtMs).padStart(TIME_DIGITS, '0')}:${id}`

interface Pending { id: string, transaction: Transaction, op: BatchOp }

/** The queue. open() before the store opens (it pins what it holds), start() once the strategy runs. */
export class OutboundQueue {
  private readonly db: Sublevel
  private readonly store: QueueStore
  private readonly config: Readonly<QueueConfig>
  private readonly log: Logger
  private readonly now: () => number
  private readonly entries = new Map<string, QueueEntry>()
  private readonly committing = new Set<string>()
  private readonly committer: GroupCommit<Pending>
  private readonly flusher: Flusher
  private reservedBytes = 0
  private bytes = 0
  private sending: () => boolean = () => false

  constructor (init: OutboundQueueInit) {
    this.db = init.db
    this.store = init.store
    this.config = init.config
    this.log = init.log
    this.now = init.now ?? Date.now
    this.committer = new GroupCommit<Pending>(async items => this.store.putMany(
      items.map(p => ({ id: p.id, transaction: p.transaction, hops: 0 })),
      { sync: true, with: items.map(p => p.op) }
    ))
    this.flusher = new Flusher({
      entries: this.entries,
      config: init.config,
      log: init.log,
      now: this.now,
      ...(init.seed === undefined ? {} : { seed: init.seed }),
      body: async entry => (await this.store.get(entry.id))?.transaction,
      remove: async entries => { await this.remove(entries) },
      confirmed: entries => { for (const e of entries) init.onConfirmed?.({ id: e.id, holders: [...e.holders ?? []], queuedAtMs: e.queuedAtMs }) }
    })
  }

  /** Reads every unconfirmed record (they are sent again once the node can send). */
  async open (): Promise<void> {
    this.entries.clear()
    this.flusher.clear()
    this.bytes = 0
    let unreadable = 0
    for await (const [key, value] of this.db.iterator({ gte: 'q:', lt: 'q;' })) {
      const record = decodeQueueRecord(value)
      if (record === undefined) {
        unreadable++
        continue
      }
      this.add({ id: key.slice(2 + TIME_DIGITS + 1), key, registerId: record.registerId, size: record.sizeBytes, queuedAtMs: record.queuedAtMs })
    }
    // A damaged record (disk corruption, a foreign write) must not stop the node starting: it is skipped.
    if (unreadable > 0) this.log.warn({ unreadable }, 'outbound queue: skipped unreadable records on disk')
    if (this.entries.size > 0) this.log.info({ unconfirmed: this.entries.size, bytes: this.bytes }, 'outbound queue resumed from disk')
  }

  /** True while the queue holds (or is writing) `id`: the store must keep it. */
  holds (id: string): boolean {
    return this.entries.has(id) || this.committing.has(id)
  }

  /** Starts flushing through `links`. */
  start (links: QueueLinks): void {
    this.sending = links.sending
    this.flusher.start(links.transport, links.have, links.sending)
  }

  /** Stops flushing and waits for the writes in flight (acknowledged submissions are on disk). Idempotent. */
  async stop (): Promise<void> {
    this.sending = () => false
    await this.flusher.stop()
    await this.committer.idle()
  }

  /**
   * Writes a new transaction published here (its id checked by the caller) with its queue record, in
   * a synced batch shared with concurrent submissions; then hands it to the network if it can go now.
   * @throws QueueFullError
   */
  async submit (id: string, transaction: Transaction): Promise<'queued' | 'announced'> {
    const size = transaction.payload.length
    if (this.entries.size + this.committing.size >= this.config.maxDepth) throw new QueueFullError('depth', this.config.maxDepth)
    if (this.bytes + this.reservedBytes + size > this.config.maxBytes) throw new QueueFullError('bytes', this.config.maxBytes)
    const queuedAtMs = this.now()
    const key = recordKey(queuedAtMs, id)
    const registerId = transaction.notification?.registerId ?? ''
    const value = QueueRecord.encode({ queuedAtMs, sizeBytes: size, registerId }).finish()
    this.committing.add(id)
    this.reservedBytes += size
    try {
      await this.committer.add({ id, transaction, op: { type: 'put', sublevel: this.db, key, value } }, size)
    } finally {
      this.committing.delete(id)
      this.reservedBytes -= size
    }
    const entry = this.add({ id, key, registerId, size, queuedAtMs })
    await this.flusher.offer(entry)
    return entry.state
  }

  /** `queued` or `announced` while unconfirmed; undefined when the queue does not hold it. */
  stateOf (id: string): Exclude<TxState, 'confirmed' | 'received'> | undefined {
    return this.entries.get(id)?.state
  }

  /** Transactions in state queued (cheap: for callers deciding whether to poke). */
  get unsent (): number {
    return this.entries.size - this.flusher.announced
  }

  /** When the oldest unconfirmed transaction was queued (entries keep their queueing order); undefined when empty. */
  get oldestQueuedAtMs (): number | undefined {
    return this.entries.values().next().value?.queuedAtMs
  }

  /** Something may let more go out (a peer, a subscription, room in a channel, connectivity). */
  poke (): void {
    this.flusher.poke()
  }

  stats (): QueueStats {
    const oldest = this.entries.values().next().value
    const announced = this.flusher.announced
    return {
      depth: this.entries.size,
      queued: this.entries.size - announced,
      announced,
      oldestAgeMs: oldest === undefined ? 0 : Math.max(0, this.now() - oldest.queuedAtMs),
      bytes: this.bytes,
      maxDepth: this.config.maxDepth,
      maxBytes: this.config.maxBytes,
      confirmations: this.config.confirmations,
      confirmed: this.flusher.confirmedTotal,
      sending: this.sending(),
      commits: { ...this.committer.stats }
    }
  }

  private add (fields: Pick<QueueEntry, 'id' | 'key' | 'registerId' | 'size' | 'queuedAtMs'>): QueueEntry {
    const entry: QueueEntry = { ...fields, state: 'queued', attempts: 0, dueAtMs: 0, holders: undefined }
    this.entries.set(entry.id, entry)
    this.bytes += entry.size
    this.flusher.queued(entry)
    return entry
  }

  /** Deletes the records of confirmed transactions (not synced: a lost delete only means a resend after a crash). */
  private async remove (entries: readonly QueueEntry[]): Promise<void> {
    if (entries.length === 0) return
    await this.db.batch(entries.map(e => ({ type: 'del' as const, key: e.key })))
    for (const e of entries) {
      if (this.entries.delete(e.id)) this.bytes -= e.size
    }
  }
}

/**
 * A persisted queue record, or undefined when the bytes are not one (not protobuf, or a size or
 * time that is not a non-negative safe integer): found by fuzzing, a damaged record made open() throw.
 */
export function decodeQueueRecord (value: Uint8Array): QueueRecord | undefined {
  let record: QueueRecord
  try {
    record = QueueRecord.decode(value)
  } catch {
    return undefined
  }
  const count = (n: number): boolean => Number.isSafeInteger(n) && n >= 0
  return count(record.sizeBytes) && count(record.queuedAtMs) ? record : undefined
}
