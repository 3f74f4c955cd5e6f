/**
 * Direct messages between two peers on /sorcha/direct/1.0.0. One message per libp2p stream: the
 * sender writes one DirectEnvelope and the receiver answers one DirectAck, both length-prefixed
 * (unsigned varint, as libp2p protocols do) and bounded by `maxMessageBytes`. A stream per message
 * keeps the protocol stateless; Yamux streams are cheap. A received message goes to the
 * `direct:message` listeners and to the receivers (the gateway's app streams, addReceiver()), and is
 * acknowledged `accepted` only once one of them has it; with none, the sender gets `no_listener`.
 */
import { randomBytes } from 'node:crypto'
import type { Connection, PeerId, Startable, Stream } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { lpStream } from '@libp2p/utils'
import { TypedEventEmitter } from 'main-event'
import { DirectAck, DirectEnvelope } from '../../protos/gen/sorcha/p2p/v1/direct.ts'
import { logger, type Logger } from '../logging/index.ts'
import { limitsOf } from '../limits/peer-limits.ts'
import { isGraylisted, readPeerMessage } from '../reputation/index.ts'
import {
  DIRECT_MAX_INBOUND_STREAMS, DIRECT_MAX_MESSAGE_BYTES, DIRECT_MAX_OUTBOUND_STREAMS, DIRECT_PROTOCOL,
  DIRECT_TIMEOUT_MS, TOPIC_PATTERN
} from './constants.ts'
import { firstDelivered, NO_LISTENER, type DirectReceiver } from './delivery.ts'
import { DirectDeliveryError, DirectMessageRejectedError, DirectMessageTooLargeError, InvalidTopicError } from './errors.ts'
import type { DirectMessageReceived, DirectMessagingComponents, DirectMessagingEvents, DirectMessagingInit, DirectSendResult } from './types.ts'

const ENVELOPE_OVERHEAD_BYTES = 256

/** The direct-message service (js-libp2p service shape). */
export class DefaultDirectMessaging extends TypedEventEmitter<DirectMessagingEvents> implements Startable {
  readonly protocol: string
  readonly maxMessageBytes: number
  private readonly timeoutMs: number
  private readonly components: DirectMessagingComponents
  private readonly init: DirectMessagingInit
  private readonly log: Logger
  private readonly receivers = new Set<DirectReceiver>()
  private started = false

  constructor (components: DirectMessagingComponents, init: DirectMessagingInit = {}) {
    super()
    this.components = components
    this.init = init
    this.protocol = init.protocol ?? DIRECT_PROTOCOL
    this.maxMessageBytes = init.maxMessageBytes ?? DIRECT_MAX_MESSAGE_BYTES
    this.timeoutMs = init.timeoutMs ?? DIRECT_TIMEOUT_MS
    this.log = logger('sorcha:direct')
  }

  readonly [Symbol.toStringTag] = '@sorcha/direct'

  /** Registers the protocol handler. Idempotent. */
  async start (): Promise<void> {
    if (this.started) return
    await this.components.registrar.handle(this.protocol, (stream: Stream, connection: Connection) => {
      void this.receive(stream, connection)
    }, {
      maxInboundStreams: this.init.maxInboundStreams ?? DIRECT_MAX_INBOUND_STREAMS,
      maxOutboundStreams: this.init.maxOutboundStreams ?? DIRECT_MAX_OUTBOUND_STREAMS
    })
    this.started = true
  }

  /** Unregisters the handler. Idempotent. */
  async stop (): Promise<void> {
    if (!this.started) return
    await this.components.registrar.unhandle(this.protocol)
    this.started = false
  }

  isStarted (): boolean {
    return this.started
  }

  /** Adds an app-side receiver; returns the function that removes it. */
  addReceiver (receiver: DirectReceiver): () => void {
    this.receivers.add(receiver)
    return () => { this.receivers.delete(receiver) }
  }

  /**
   * Sends one message and waits for the peer's acknowledgement, which says an app there has it.
   * @throws InvalidTopicError, DirectMessageTooLargeError, DirectDeliveryError, DirectMessageRejectedError
   * (reason `no_listener` when no app on the peer took it)
   */
  async send (peer: PeerId | string, topic: string, payload: Uint8Array, options: { signal?: AbortSignal } = {}): Promise<DirectSendResult> {
    if (!TOPIC_PATTERN.test(topic)) throw new InvalidTopicError('topic must be 1-128 characters of A-Z a-z 0-9 . _ : / -')
    if (payload.byteLength > this.maxMessageBytes) throw new DirectMessageTooLargeError(`payload exceeds ${this.maxMessageBytes} bytes`)
    const peerId = typeof peer === 'string' ? peerIdFromString(peer) : peer
    const timeout = AbortSignal.timeout(this.timeoutMs)
    const signal = options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout])
    const messageId = randomBytes(16).toString('hex')
    const started = performance.now()
    let stream: Stream | undefined
    try {
      const opened = await this.components.connectionManager.openStream(peerId, this.protocol, { signal })
      stream = opened
      const lp = lpStream(opened, { maxDataLength: this.maxMessageBytes + ENVELOPE_OVERHEAD_BYTES })
      await lp.write(DirectEnvelope.encode({ messageId, topic, payload, sentAtMs: Date.now() }).finish(), { signal })
      const ack = DirectAck.decode((await lp.read({ signal })).subarray())
      await opened.close({ signal }).catch(() => {})
      if (ack.messageId !== messageId) throw new DirectMessageRejectedError('ack_mismatch')
      if (!ack.accepted) throw new DirectMessageRejectedError(ack.reason === '' ? 'rejected' : ack.reason.slice(0, 64))
      return { messageId, rttMs: performance.now() - started }
    } catch (err) {
      stream?.abort(err instanceof Error ? err : new Error('aborted'))
      if (err instanceof DirectMessageRejectedError) throw err
      if (options.signal?.aborted === true) throw options.signal.reason
      throw new DirectDeliveryError(`cannot deliver to ${peerId.toString()}: ${describe(err)}`, timeout.aborted)
    }
  }

  /** Handles one inbound stream: read an envelope, validate, acknowledge, dispatch. */
  private async receive (stream: Stream, connection: Connection): Promise<void> {
    const signal = AbortSignal.timeout(this.timeoutMs)
    const peer = connection.remotePeer.toString()
    const limits = limitsOf(this.components)
    // A stream-opening storm is refused outright (reported once per episode as stream_storm).
    if (limits?.allow('streams', peer) === false) {
      stream.abort(new Error('too many streams'))
      return
    }
    // A graylisted peer's messages are ignored (docs/security.md "Reputation"), unread and unacknowledged.
    if (isGraylisted(this.components, peer)) {
      stream.abort(new Error('graylisted'))
      return
    }
    try {
      const lp = lpStream(stream, { maxDataLength: this.maxMessageBytes + ENVELOPE_OVERHEAD_BYTES })
      // Undefined (an offence, reported) when malformed; a stream that failed (the sender went away) throws.
      const envelope = await readPeerMessage(this.components, peer, lp, signal, bytes => DirectEnvelope.decode(bytes), 'direct message')
      if (envelope === undefined) {
        await lp.write(DirectAck.encode({ messageId: '', accepted: false, reason: 'malformed' }).finish(), { signal })
        await stream.close({ signal })
        return
      }
      // Per-peer limit (docs/security.md): the sender learns why (reason rate_limited).
      if (limits?.allow('direct', peer) === false) {
        await lp.write(DirectAck.encode({ messageId: envelope.messageId, accepted: false, reason: 'rate_limited' }).finish(), { signal })
        await stream.close({ signal })
        return
      }
      // Hand the message to local listeners before acknowledging, so an acknowledged message has
      // been delivered (the sender's send() resolves only after that).
      let reason = this.verdict(envelope)
      if (reason === '') {
        reason = await this.deliverLocally({
          messageId: envelope.messageId,
          fromPeerId: connection.remotePeer.toString(),
          topic: envelope.topic,
          payload: envelope.payload,
          sentAtMs: envelope.sentAtMs,
          receivedAtMs: Date.now()
        })
      }
      if (reason !== '') this.log.debug({ peer: connection.remotePeer.toString(), reason }, 'refused a direct message')
      await lp.write(DirectAck.encode({ messageId: envelope.messageId, accepted: reason === '', reason }).finish(), { signal })
      await stream.close({ signal })
    } catch (err) {
      this.log.debug({ peer: connection.remotePeer.toString(), err: describe(err) }, 'direct message stream failed')
      stream.abort(err instanceof Error ? err : new Error('aborted'))
    }
  }

  /**
   * Gives the message to the `direct:message` listeners (they take it at once) and to the receivers
   * of its topic; '' once one of them has it, NO_LISTENER when none is there or none took it within
   * half the timeout (the sender waits for the acknowledgement for the whole timeout).
   */
  private async deliverLocally (message: DirectMessageReceived): Promise<string> {
    const listeners = this.listenerCount('direct:message')
    const receivers = [...this.receivers].filter(r => r.topics === undefined || r.topics.has(message.topic))
    if (listeners > 0) this.safeDispatchEvent('direct:message', { detail: message })
    const offers = receivers.map(async r => r.deliver(message))
    if (listeners > 0) return ''
    return await firstDelivered(offers, Math.floor(this.timeoutMs / 2)) ? '' : NO_LISTENER
  }

  /** Empty string when the envelope is acceptable, else a bounded reason code. */
  private verdict (envelope: DirectEnvelope): string {
    if (!/^[0-9a-f]{32}$/.test(envelope.messageId)) return 'invalid_message_id'
    if (!TOPIC_PATTERN.test(envelope.topic)) return 'invalid_topic'
    if (envelope.payload.byteLength > this.maxMessageBytes) return 'too_large'
    return ''
  }
}

// Stream resets reject with an Event rather than an Error in libp2p 3 (COMMON.md), so describe both.
function describe (err: unknown): string {
  if (err instanceof Error) return err.message
  if (typeof err === 'object' && err !== null && 'type' in err) return `stream ${String((err as { type: unknown }).type)}`
  return String(err)
}
