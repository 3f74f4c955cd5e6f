/**
 * The have-query, /sorcha/tx-have/1.0.0: "which of these transactions does your store hold?". One
 * TxHaveRequest (1..1,024 tx ids) and one TxHaveResponse (a bitmap) per stream, length-prefixed, as
 * direct messages are. The outbound queue asks it of connected peers to learn when k of them hold a
 * transaction it submitted (confirmation), and which of them to send it to again.
 *
 * Why a query and not a signal from the gossip strategies: it works the same for sorcha and
 * gossipsub (gossipsub tells a publisher nothing), it reports what a peer has written to its store
 * rather than what it was sent or asked for (a pushed body may still be dropped before the write),
 * and it costs 32 bytes per transaction per asked peer, once per check.
 */
import type { Connection, PeerId, Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { TxHaveRequest, TxHaveResponse } from '../../protos/gen/sorcha/p2p/v1/tx_queue.ts'
import type { Logger } from '../logging/index.ts'
import { TX_HAVE_MAX_IDS, TX_HAVE_MAX_STREAMS, TX_HAVE_PROTOCOL, TX_HAVE_TIMEOUT_MS } from './constants.ts'
import { TxHaveError } from './errors.ts'
import { limitsOf, type LimitsComponents } from '../limits/peer-limits.ts'
import type { HaveQuery } from './types.ts'
import { hexOfId } from '../gossip/hex-id.ts'

/** The libp2p components the have-query uses. */
export interface TxHaveComponents extends LimitsComponents {
  registrar: {
    handle: (protocol: string, handler: (stream: Stream, connection: Connection) => void, options?: { maxInboundStreams?: number, maxOutboundStreams?: number }) => Promise<void>
    unhandle: (protocol: string) => Promise<void>
    register: (protocol: string, topology: { onConnect?: (peerId: PeerId) => void, onDisconnect?: (peerId: PeerId) => void }) => Promise<string>
    unregister: (id: string) => void
  }
  connectionManager: {
    openStream: (peer: PeerId, protocol: string, options?: { signal?: AbortSignal }) => Promise<Stream>
  }
}

/** Options of the have-query. */
export interface TxHaveInit {
  /** For each hex tx id, whether this node's store holds it (the answer to a peer). */
  holds: (ids: readonly string[]) => Promise<boolean[]>
  log: Logger
  /** @default TX_HAVE_TIMEOUT_MS */
  timeoutMs?: number
}

/** Room for 1,024 ids with their protobuf tags and lengths. */
const MAX_REQUEST_BYTES = TX_HAVE_MAX_IDS * 34 + 16
const MAX_RESPONSE_BYTES = Math.ceil(TX_HAVE_MAX_IDS / 8) + 16

/** Packs booleans into a bitmap: bit i is bit (i mod 8), least significant first, of byte i / 8. */
export function packBits (bits: readonly boolean[]): Uint8Array {
  const out = new Uint8Array(Math.ceil(bits.length / 8))
  bits.forEach((bit, i) => { if (bit) out[i >> 3] = (out[i >> 3] as number) | (1 << (i & 7)) })
  return out
}

/** The first `n` bits of a bitmap; undefined when it has the wrong length. */
export function unpackBits (bytes: Uint8Array, n: number): boolean[] | undefined {
  if (bytes.length !== Math.ceil(n / 8)) return undefined
  return Array.from({ length: n }, (_, i) => (((bytes[i >> 3] as number) >> (i & 7)) & 1) === 1)
}

/** Serves the have-query and asks it of peers. */
export class TxHave implements HaveQuery {
  private readonly components: TxHaveComponents
  private readonly init: TxHaveInit
  private readonly timeoutMs: number
  private readonly connected = new Map<string, PeerId>()
  private topologyId: string | undefined
  private started = false

  constructor (components: TxHaveComponents, init: TxHaveInit) {
    this.components = components
    this.init = init
    this.timeoutMs = init.timeoutMs ?? TX_HAVE_TIMEOUT_MS
  }

  /** Registers the handler and follows which connected peers speak the protocol. Idempotent. */
  async start (): Promise<void> {
    if (this.started) return
    this.started = true
    await this.components.registrar.handle(TX_HAVE_PROTOCOL, (stream, connection) => { void this.answer(stream, connection) }, {
      maxInboundStreams: TX_HAVE_MAX_STREAMS, maxOutboundStreams: TX_HAVE_MAX_STREAMS
    })
    this.topologyId = await this.components.registrar.register(TX_HAVE_PROTOCOL, {
      onConnect: peerId => { this.connected.set(peerId.toString(), peerId) },
      onDisconnect: peerId => { this.connected.delete(peerId.toString()) }
    })
  }

  /** Unregisters everything start did. Idempotent. */
  async stop (): Promise<void> {
    if (!this.started) return
    this.started = false
    if (this.topologyId !== undefined) this.components.registrar.unregister(this.topologyId)
    this.topologyId = undefined
    this.connected.clear()
    await this.components.registrar.unhandle(TX_HAVE_PROTOCOL)
  }

  peers (): string[] {
    return [...this.connected.keys()]
  }

  async ask (peer: string, ids: readonly string[], options: { signal?: AbortSignal } = {}): Promise<boolean[]> {
    const peerId = this.connected.get(peer)
    if (peerId === undefined) throw new TxHaveError(`peer ${peer} does not speak ${TX_HAVE_PROTOCOL}`)
    if (ids.length === 0 || ids.length > TX_HAVE_MAX_IDS) throw new TxHaveError(`a have-query asks about 1 to ${TX_HAVE_MAX_IDS} ids`)
    const timeout = AbortSignal.timeout(this.timeoutMs)
    const signal = options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout])
    let stream: Stream | undefined
    try {
      stream = await this.components.connectionManager.openStream(peerId, TX_HAVE_PROTOCOL, { signal })
      const lp = lpStream(stream, { maxDataLength: MAX_RESPONSE_BYTES })
      await lp.write(TxHaveRequest.encode({ txIds: ids.map(id => Buffer.from(id, 'hex')) }).finish(), { signal })
      const response = TxHaveResponse.decode((await lp.read({ signal })).subarray())
      await stream.close({ signal }).catch(() => {})
      const held = unpackBits(response.held, ids.length)
      if (held === undefined) throw new TxHaveError(`peer ${peer} answered a have-query with a bitmap of the wrong length`)
      return held
    } catch (err) {
      stream?.abort(err instanceof Error ? err : new Error('aborted'))
      if (err instanceof TxHaveError) throw err
      throw new TxHaveError(`peer ${peer} gave no answer to a have-query${timeout.aborted ? ' in time' : ''}`)
    }
  }

  /** One inbound query: read the ids, look them up, answer, close. Malformed requests are hung up on. */
  private async answer (stream: Stream, connection: Connection): Promise<void> {
    // One stream per query: a peer opening them faster than limits.streams is refused (stream_storm).
    if (limitsOf(this.components)?.allow('streams', connection.remotePeer.toString()) === false) {
      stream.abort(new Error('too many streams'))
      return
    }
    const signal = AbortSignal.timeout(this.timeoutMs)
    try {
      const lp = lpStream(stream, { maxDataLength: MAX_REQUEST_BYTES })
      const request = TxHaveRequest.decode((await lp.read({ signal })).subarray())
      const ids = request.txIds
      if (ids.length === 0 || ids.length > TX_HAVE_MAX_IDS || ids.some(id => id.length !== 32)) throw new TxHaveError('malformed have-query')
      const held = await this.init.holds(ids.map(hexOfId))
      await lp.write(TxHaveResponse.encode({ held: packBits(held) }).finish(), { signal })
      await stream.close({ signal })
    } catch (err) {
      this.init.log.debug({ peer: connection.remotePeer.toString(), err: (err as Error).message }, 'have-query stream failed')
      stream.abort(err instanceof Error ? err : new Error('aborted'))
    }
  }
}
