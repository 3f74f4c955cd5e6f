/**
 * The STUN client adapter: runs the pure transaction core (protocols/stun/transactions.ts) over one UDP
 * socket, with real timers, cryptographically random transaction ids (RFC 8489 §5) and abort signals.
 * Every rejected datagram is counted by reason and logged at debug; none can throw out of here.
 */
import { randomBytes } from 'node:crypto'
import {
  StunTransactions, encodeBindingRequest, readBindingResponse, transactionKey, formatEndpoint,
  type BindingResult, type ChangeRequest, type Endpoint, type StunError, type TransactionEffect, type TransactionTiming
} from '../../protocols/stun/index.ts'
import { logger, type Logger } from '../logging/index.ts'
import { STUN_SOFTWARE } from './constants.ts'
import { NatAbortError } from './errors.ts'
import { dgramSocketFactory, type SocketFactory, type UdpSocketLike } from './udp-socket.ts'

/** How one Binding transaction ended. */
export type BindingOutcome =
  | { kind: 'success', result: BindingResult, from: Endpoint, attempts: number }
  | { kind: 'error', error: StunError, from: Endpoint }
  | { kind: 'rejected', reason: string, from: Endpoint }
  | { kind: 'timeout', attempts: number }

/** Options for a STUN client. */
export interface StunClientOptions {
  /** @default node:dgram */
  socketFactory?: SocketFactory
  timing?: TransactionTiming
  /** @default performance.now */
  now?: () => number
  /** @default 12 bytes from crypto.randomBytes */
  transactionId?: () => Uint8Array
}

interface Waiter {
  resolve: (outcome: BindingOutcome) => void
  cleanup: () => void
}

/** One UDP socket running STUN Binding transactions. */
export class StunClient {
  private readonly socket: UdpSocketLike
  private readonly core: StunTransactions
  private readonly now: () => number
  private readonly newId: () => Uint8Array
  private readonly waiters = new Map<string, Waiter>()
  private readonly log: Logger
  private timer: ReturnType<typeof setTimeout> | undefined
  private closed = false
  /** Datagrams judged bad, by reason code (codes are a fixed set, so this stays small). */
  readonly rejected = new Map<string, number>()

  private constructor (socket: UdpSocketLike, options: StunClientOptions) {
    this.socket = socket
    this.core = new StunTransactions(options.timing)
    this.now = options.now ?? (() => performance.now())
    this.newId = options.transactionId ?? (() => new Uint8Array(randomBytes(12)))
    this.log = logger('sorcha:nat')
    socket.onMessage((bytes, from) => { this.run(this.core.handle({ type: 'packet', now: this.now(), from, bytes })) })
  }

  /** Opens a client on a fresh socket of the given family. */
  static async open (family: 4 | 6, options: StunClientOptions = {}): Promise<StunClient> {
    return new StunClient(await (options.socketFactory ?? dgramSocketFactory)(family), options)
  }

  /** The local port of this client's socket. */
  get localPort (): number {
    return this.socket.localPort()
  }

  /** Runs one Binding transaction to `to`, optionally with CHANGE-REQUEST. */
  async binding (to: Endpoint, options: { change?: ChangeRequest, signal?: AbortSignal } = {}): Promise<BindingOutcome> {
    if (this.closed) throw new NatAbortError('STUN client closed')
    options.signal?.throwIfAborted()
    const request = encodeBindingRequest(this.newId(), { software: STUN_SOFTWARE, ...(options.change === undefined ? {} : { change: options.change }) })
    const id = transactionKey(request.subarray(8, 20))
    return new Promise<BindingOutcome>((resolve, reject) => {
      const onAbort = (): void => {
        this.waiters.delete(id)
        this.run(this.core.handle({ type: 'cancel', now: this.now(), id }))
        reject(new NatAbortError('STUN transaction aborted'))
      }
      options.signal?.addEventListener('abort', onAbort, { once: true })
      this.waiters.set(id, { resolve, cleanup: () => options.signal?.removeEventListener('abort', onAbort) })
      this.run(this.core.handle({ type: 'start', now: this.now(), to, request }))
    })
  }

  /** Closes the socket; pending transactions end as timeouts. */
  close (): void {
    if (this.closed) return
    this.closed = true
    clearTimeout(this.timer)
    this.socket.close()
    for (const [id, waiter] of this.waiters) {
      waiter.cleanup()
      waiter.resolve({ kind: 'timeout', attempts: 0 })
      this.waiters.delete(id)
    }
  }

  private finish (id: string, outcome: BindingOutcome): void {
    const waiter = this.waiters.get(id)
    if (waiter === undefined) return
    this.waiters.delete(id)
    waiter.cleanup()
    waiter.resolve(outcome)
  }

  private run (effects: TransactionEffect[]): void {
    for (const effect of effects) this.execute(effect)
    this.reschedule()
  }

  private execute (effect: TransactionEffect): void {
    switch (effect.type) {
      case 'send': this.socket.send(effect.bytes, effect.to); break
      case 'timeout': this.finish(effect.id, { kind: 'timeout', attempts: effect.attempts }); break
      case 'refused': this.finish(effect.id, { kind: 'rejected', reason: effect.reason, from: { family: 4, address: '0.0.0.0', port: 0 } }); break
      case 'response': {
        const read = readBindingResponse(effect.message)
        this.finish(effect.id, read.kind === 'success'
          ? { kind: 'success', result: read.result, from: effect.from, attempts: effect.attempts }
          : read.kind === 'error' ? { kind: 'error', error: read.error, from: effect.from } : { kind: 'rejected', reason: read.reason, from: effect.from })
        if (read.kind === 'rejected') this.count(read.reason, effect.from)
        break
      }
      case 'verdict': this.count(effect.code, effect.peer); break
      case 'trace': this.log.trace(effect.data ?? {}, effect.event); break
    }
  }

  private count (code: string, from: Endpoint | string): void {
    this.rejected.set(code, (this.rejected.get(code) ?? 0) + 1)
    this.log.debug({ code, from: typeof from === 'string' ? from : formatEndpoint(from) }, 'STUN datagram rejected')
  }

  private reschedule (): void {
    clearTimeout(this.timer)
    this.timer = undefined
    const wake = this.core.nextWakeup()
    if (wake === undefined || this.closed) return
    this.timer = setTimeout(() => { this.run(this.core.handle({ type: 'tick', now: this.now() })) }, Math.max(1, Math.ceil(wake - this.now())))
  }
}
