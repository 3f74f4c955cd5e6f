/** Defaults for address and NAT discovery (units in the names). */

/** Port of a STUN server given without one (RFC 8489 §9). */
export const DEFAULT_STUN_PORT = 3478
/** How often the address service re-checks the external address and NAT type. */
export const DEFAULT_RECHECK_INTERVAL_MS = 30 * 60_000
/** Timeout of one HTTP lookup request. */
export const DEFAULT_HTTP_TIMEOUT_MS = 5_000
/** Largest HTTP lookup body read; an IP address or a small JSON object fits easily. */
export const MAX_HTTP_BODY_BYTES = 4_096
/** Most STUN servers or lookup URLs tried per check (configuration may list more; the rest are ignored). */
export const MAX_SERVERS_PER_CHECK = 8
/** Most problems remembered on the status object (oldest dropped first). */
export const MAX_STATUS_ERRORS = 16
/** SOFTWARE attribute our requests carry (RFC 8489 §14.14). */
export const STUN_SOFTWARE = 'sorcha-peer'
/**
 * How often the address service re-reads AutoNAT's verdicts from libp2p's address manager (local, no
 * network). Needed because libp2p emits self:peer:update only when an address becomes (un)verified
 * after having been the opposite, not when a never-verified address fails its dial-backs.
 */
export const DEFAULT_AUTONAT_POLL_INTERVAL_MS = 5_000
