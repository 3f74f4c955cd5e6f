/** Types of the direct-message service. */
import type { LimitsComponents } from '../limits/peer-limits.ts'
import type { ReputationHolder } from '../reputation/index.ts'
import type { AbortOptions, PeerId, Stream, StreamHandler, StreamHandlerOptions } from '@libp2p/interface'

/** Options of the direct-message service; every field optional. */
export interface DirectMessagingInit {
  /** @default DIRECT_PROTOCOL (/sorcha/direct/1.0.0) */
  protocol?: string
  /** Largest payload accepted or sent. @default DIRECT_MAX_MESSAGE_BYTES (1 MiB) */
  maxMessageBytes?: number
  /** @default DIRECT_TIMEOUT_MS (10 s) */
  timeoutMs?: number
  /** @default DIRECT_MAX_INBOUND_STREAMS */
  maxInboundStreams?: number
  /** @default DIRECT_MAX_OUTBOUND_STREAMS */
  maxOutboundStreams?: number
}

/** The libp2p components the service uses. */
export interface DirectMessagingComponents extends LimitsComponents, ReputationHolder {
  registrar: {
    handle: (protocol: string, handler: StreamHandler, options?: StreamHandlerOptions) => Promise<void>
    unhandle: (protocol: string) => Promise<void>
  }
  connectionManager: {
    openStream: (peer: PeerId, protocol: string, options?: AbortOptions) => Promise<Stream>
  }
}

/** A direct message this node received. */
export interface DirectMessageReceived {
  messageId: string
  fromPeerId: string
  topic: string
  payload: Uint8Array
  sentAtMs: number
  receivedAtMs: number
}

/** The outcome of a send. */
export interface DirectSendResult {
  messageId: string
  rttMs: number
}

/** Events of the service. */
export interface DirectMessagingEvents {
  'direct:message': CustomEvent<DirectMessageReceived>
}
