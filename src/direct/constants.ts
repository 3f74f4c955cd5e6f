/** Defaults of the direct-message protocol. Units are in the names. */

/** libp2p protocol id (docs/conventions.md §6: /sorcha/<name>/<semver>). */
export const DIRECT_PROTOCOL = '/sorcha/direct/1.0.0'
/** Largest envelope accepted or sent, framing excluded. */
export const DIRECT_MAX_MESSAGE_BYTES = 1024 * 1024
/** A node's limit is gateway.maxMessageBytes, capped at this (reported as NodeInfo.maxDirectMessageBytes). */
export const DIRECT_NODE_MAX_MESSAGE_BYTES_CAP = 4 * 1024 * 1024
/** A send (open, write, acknowledgement) or a receive that takes longer fails. */
export const DIRECT_TIMEOUT_MS = 10_000
/** Concurrent inbound / outbound direct-message streams per connection. */
export const DIRECT_MAX_INBOUND_STREAMS = 32
export const DIRECT_MAX_OUTBOUND_STREAMS = 64
/** Topics: 1..128 characters of letters, digits and . _ : / - */
export const TOPIC_PATTERN = /^[A-Za-z0-9._:/-]{1,128}$/
