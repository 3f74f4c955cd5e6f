/**
 * The moving part of the outbound queue: hands queued transactions to the gossip strategy when it
 * can take them (first sends, paced by the strategy's back-pressure and FLUSH_SLICE per turn of the
 * event loop), and checks announced ones with the have-query, confirming those k peers hold and
 * sending the others again to the peers that lack them, with exponential backoff per transaction.
 * One pump and one check run at a time; both stop at once when the node cannot send.
 */
import { backoffDelayMs } from '../../protocols/common/backoff.ts'
import { createRng, type Rng } from '../../protocols/common/rng.ts'
import type { Transaction } from '../../protos/gen/sorcha/p2p/v1/tx_gossip.ts'
import type { Logger } from '../logging/index.ts'
import { askHolders } from './ask-holders.ts'
import { CONFIRM_BATCH_MAX, CONFIRM_PEERS_MAX, FLUSH_SLICE } from './constants.ts'
import type { HaveQuery, QueueConfig, QueueTransport } from './types.ts'

/** One unconfirmed transaction, in memory. */
export interface QueueEntry {
  id: string
  /** Its record's key in the queue sublevel. */
  key: string
  registerId: string
  size: number
  queuedAtMs: number
  state: 'queued' | 'announced'
  /** Checks since it was announced. */
  attempts: number
  /** When it is next checked (announced only). */
  dueAtMs: number
  /** Peers that reported holding it. */
  holders: Set<string> | undefined
}

/** What the flusher needs from the queue. */
export interface FlusherInit {
  /** The queue's entries (the flusher changes their state, never the map). */
  entries: ReadonlyMap<string, QueueEntry>
  config: Readonly<QueueConfig>
  log: Logger
  now: () => number
  /** Seed of the jitter and peer choice. @default random */
  seed?: number
  /** The transaction of an entry, from the store. */
  body: (entry: QueueEntry) => Promise<Transaction | undefined>
  /** Deletes entries and their records (confirmed, or lost from the store). */
  remove: (entries: readonly QueueEntry[]) => Promise<void>
  /** Told of entries just confirmed, with the peers that reported holding them. */
  confirmed?: (entries: readonly QueueEntry[]) => void
}

const yieldTurn = async (): Promise<void> => { await new Promise<void>(resolve => { setImmediate(resolve) }) }

/** Flushes and confirms. */
export class Flusher {
  /** Entries in state announced. */
  announced = 0
  /** Confirmed since start. */
  confirmedTotal = 0
  private readonly init: FlusherInit
  private readonly rng: Rng
  /** Queued entries by register, oldest first. */
  private readonly waiting = new Map<string, Set<string>>()
  private transport: QueueTransport | undefined
  private have: HaveQuery | undefined
  private sending: () => boolean = () => false
  private running = false
  private pumpScheduled = false
  private pumping: Promise<void> | undefined
  private again = false
  private checking: Promise<void> | undefined
  private timer: ReturnType<typeof setTimeout> | undefined
  private timerAt = Infinity
  /** A later pump for entries whose send reached nobody although the register had peers. */
  private retryTimer: ReturnType<typeof setTimeout> | undefined
  private abort = new AbortController()

  constructor (init: FlusherInit) {
    this.init = init
    this.rng = createRng(init.seed ?? Math.floor(Math.random() * 2 ** 32))
  }

  /** Forgets the queued set (the queue is being reloaded). */
  clear (): void {
    this.waiting.clear()
    this.announced = 0
  }

  /** Notes a new queued entry. */
  queued (entry: QueueEntry): void {
    let ids = this.waiting.get(entry.registerId)
    if (ids === undefined) this.waiting.set(entry.registerId, ids = new Set())
    ids.add(entry.id)
  }

  start (transport: QueueTransport, have: HaveQuery, sending: () => boolean): void {
    this.transport = transport
    this.have = have
    this.sending = sending
    this.running = true
    this.abort = new AbortController()
    this.poke()
  }

  async stop (): Promise<void> {
    this.running = false
    this.abort.abort()
    clearTimeout(this.timer)
    this.timer = undefined
    this.timerAt = Infinity
    clearTimeout(this.retryTimer)
    this.retryTimer = undefined
    await Promise.allSettled([this.pumping, this.checking])
  }

  /** Runs the pump soon (once per turn of the event loop however often it is poked), and the check if due. */
  poke (): void {
    if (!this.running || this.pumpScheduled) return
    this.pumpScheduled = true
    setImmediate(() => {
      this.pumpScheduled = false
      if (this.pumping !== undefined) {
        this.again = true
        return
      }
      this.pumping = this.pump().finally(() => { this.pumping = undefined })
      // Checks stop while the node cannot send; this picks them up again.
      if (this.timer === undefined && this.checking === undefined && this.announced > 0 && this.sending()) this.arm(this.nextDue())
    })
  }

  /** A just-written entry: sent at once when it can go and no flush is running, else left to the pump. */
  async offer (entry: QueueEntry): Promise<void> {
    const transport = this.transport
    if (transport !== undefined && this.running && this.pumping === undefined && this.sending() &&
      transport.reach(entry.registerId) > 0 && transport.room() > 0) {
      await this.announce(entry, transport)
    } else {
      this.poke()
    }
  }

  private async pump (): Promise<void> {
    do {
      this.again = false
      try {
        await this.flushWaiting()
      } catch (err) {
        this.init.log.warn({ err }, 'outbound queue flush failed; retrying on the next change')
      }
    } while (this.again && this.running)
  }

  private async flushWaiting (): Promise<void> {
    const transport = this.transport
    if (transport === undefined) return
    let sent = 0
    for (const [registerId, ids] of this.waiting) {
      if (ids.size === 0) {
        this.waiting.delete(registerId)
        continue
      }
      if (transport.reach(registerId) === 0) continue
      if (!this.running || !this.sending()) return
      for (const id of ids) {
        if (!this.running || transport.room() <= 0) return
        const entry = this.init.entries.get(id)
        if (entry?.state !== 'queued') {
          ids.delete(id)
          continue
        }
        if (!await this.announce(entry, transport)) break
        if (++sent % FLUSH_SLICE === 0) {
          await yieldTurn()
          if (!this.sending()) return
        }
      }
    }
  }

  /** First send of an entry; false when nobody took it (it stays queued). */
  private async announce (entry: QueueEntry, transport: QueueTransport): Promise<boolean> {
    // Taken out of the waiting set first, so that a pump and a submission cannot both send it.
    this.waiting.get(entry.registerId)?.delete(entry.id)
    const tx = await this.init.body(entry)
    if (tx === undefined) {
      this.init.log.error({ txId: entry.id }, 'an unconfirmed transaction is missing from the store; dropping its queue record')
      await this.init.remove([entry])
      return true
    }
    let sent = false
    try {
      sent = await transport.announce(entry.id, tx)
    } catch (err) {
      this.init.log.debug({ err, txId: entry.id }, 'announcing a queued transaction failed')
    }
    if (entry.state !== 'queued' || !this.init.entries.has(entry.id)) return sent
    if (!sent) {
      this.queued(entry)
      // Nothing else may poke (no new peer, subscription or submission): try again after a while.
      this.retryLater()
      return false
    }
    entry.state = 'announced'
    entry.attempts = 0
    entry.dueAtMs = this.init.now() + this.delay(0)
    this.announced++
    if (entry.dueAtMs < this.timerAt) this.arm(entry.dueAtMs)
    return true
  }

  private retryLater (): void {
    if (!this.running || this.retryTimer !== undefined) return
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined
      this.poke()
    }, this.init.config.retryInitialMs)
  }

  private delay (attempt: number): number {
    return backoffDelayMs(attempt, { initialMs: this.init.config.retryInitialMs, maxMs: this.init.config.retryMaxMs }, this.rng)
  }

  /** Earliest check due among announced entries; Infinity when none. */
  private nextDue (): number {
    let next = Infinity
    for (const e of this.init.entries.values()) if (e.state === 'announced' && e.dueAtMs < next) next = e.dueAtMs
    return next
  }

  private arm (at: number): void {
    if (!this.running || at === Infinity || (this.timer !== undefined && this.timerAt <= at)) return
    clearTimeout(this.timer)
    this.timerAt = at
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.timerAt = Infinity
      if (this.checking !== undefined) return
      this.checking = this.check().finally(() => {
        this.checking = undefined
        // The next round no sooner than an eighth of the first delay: entries announced one by one
        // fall due one by one, and a round per entry walked every entry each time (3 % of a
        // flushing sender's CPU). An entry waits at most that much longer than its jittered delay.
        if (this.announced > 0 && this.sending()) this.arm(Math.max(this.nextDue(), this.init.now() + this.init.config.retryInitialMs / 8))
      })
    }, Math.max(0, at - this.init.now()))
  }

  /** One confirmation round over the entries due (while the node can send). */
  private async check (): Promise<void> {
    const { have, transport } = this
    if (!this.running || have === undefined || transport === undefined || !this.sending()) return
    const now = this.init.now()
    const due: QueueEntry[] = []
    for (const e of this.init.entries.values()) {
      if (e.state === 'announced' && e.dueAtMs <= now) due.push(e)
      if (due.length >= CONFIRM_BATCH_MAX) break
    }
    if (due.length === 0) return
    const peers = this.rng.shuffle(have.peers()).slice(0, CONFIRM_PEERS_MAX)
    if (peers.length === 0) {
      // Nobody to ask: not an attempt. Looked at again after the first delay.
      for (const e of due) e.dueAtMs = now + this.init.config.retryInitialMs
      return
    }
    const lacking = await askHolders(have, peers, due, this.init.config.confirmations, { signal: this.abort.signal, log: this.init.log })
    const confirmed: QueueEntry[] = []
    const resend: QueueEntry[] = []
    for (const e of due) {
      if (!this.init.entries.has(e.id)) continue
      if ((e.holders?.size ?? 0) >= this.init.config.confirmations) {
        confirmed.push(e)
        continue
      }
      e.attempts++
      e.dueAtMs = this.init.now() + this.delay(e.attempts)
      if ((lacking.get(e.id)?.length ?? 0) > 0) resend.push(e)
    }
    if (confirmed.length > 0) {
      await this.init.remove(confirmed)
      this.announced -= confirmed.length
      this.confirmedTotal += confirmed.length
      this.init.confirmed?.(confirmed)
    }
    await this.resend(transport, resend, lacking)
  }

  private async resend (transport: QueueTransport, entries: QueueEntry[], lacking: Map<string, string[]>): Promise<void> {
    let n = 0
    for (const e of entries) {
      if (!this.running || !this.sending()) return
      const tx = await this.init.body(e)
      if (tx === undefined) continue
      try {
        await transport.resend(e.id, tx, lacking.get(e.id) ?? [])
      } catch (err) {
        this.init.log.debug({ err, txId: e.id }, 'sending an unconfirmed transaction again failed')
      }
      if (++n % FLUSH_SLICE === 0) await yieldTurn()
    }
  }
}
