/**
 * STUN wire constants (RFC 8489, which obsoletes RFC 5389) and the RFC 5780 / RFC 3489 attributes used for
 * NAT behaviour discovery, plus the retransmission defaults of RFC 8489 §6.2.1.
 */

/** The fixed magic cookie in bytes 4-7 of every RFC 5389+ message (RFC 8489 §5). */
export const MAGIC_COOKIE = 0x2112a442
/** Size of the fixed STUN header in bytes. */
export const HEADER_BYTES = 20
/** Size of a transaction id in bytes (96 bits, RFC 8489 §5). */
export const TRANSACTION_ID_BYTES = 12
/** XOR constant for the FINGERPRINT CRC-32 ("STUN" in ASCII, RFC 8489 §14.7). */
export const FINGERPRINT_XOR = 0x5354554e
/** Largest message the codec accepts; a UDP datagram cannot carry more. */
export const MAX_MESSAGE_BYTES = 65_535

/** The Binding method (RFC 8489 §18.2). */
export const METHOD_BINDING = 0x001

/** Attribute types this codec understands or at least knows (so they are not "unknown comprehension-required"). */
export const ATTR = {
  MAPPED_ADDRESS: 0x0001,
  /** RFC 3489 legacy; RFC 5780 sends it as OTHER-ADDRESS's predecessor on old servers. */
  RESPONSE_ADDRESS: 0x0002,
  CHANGE_REQUEST: 0x0003,
  SOURCE_ADDRESS: 0x0004,
  CHANGED_ADDRESS: 0x0005,
  USERNAME: 0x0006,
  MESSAGE_INTEGRITY: 0x0008,
  ERROR_CODE: 0x0009,
  UNKNOWN_ATTRIBUTES: 0x000a,
  REALM: 0x0014,
  NONCE: 0x0015,
  MESSAGE_INTEGRITY_SHA256: 0x001c,
  PASSWORD_ALGORITHM: 0x001d,
  USERHASH: 0x001e,
  XOR_MAPPED_ADDRESS: 0x0020,
  /** RFC 5780 §7.3. */
  PADDING: 0x0026,
  /** RFC 5780 §7.4. */
  RESPONSE_PORT: 0x0027,
  /** ICE (RFC 8445 §16.1). */
  PRIORITY: 0x0024,
  USE_CANDIDATE: 0x0025,
  PASSWORD_ALGORITHMS: 0x8002,
  ALTERNATE_DOMAIN: 0x8003,
  SOFTWARE: 0x8022,
  ALTERNATE_SERVER: 0x8023,
  /** RFC 5780 §7.6. */
  CACHE_TIMEOUT: 0x8027,
  FINGERPRINT: 0x8028,
  ICE_CONTROLLED: 0x8029,
  ICE_CONTROLLING: 0x802a,
  /** RFC 5780 §7.5. */
  RESPONSE_ORIGIN: 0x802b,
  /** RFC 5780 §7.2. */
  OTHER_ADDRESS: 0x802c
} as const

/** Every attribute type in ATTR; a type outside this set below 0x8000 makes a message unacceptable (RFC 8489 §15). */
export const KNOWN_ATTRIBUTES: ReadonlySet<number> = new Set(Object.values(ATTR))

/** CHANGE-REQUEST flag bits (RFC 5780 §7.2). */
export const CHANGE_IP = 0x04
export const CHANGE_PORT = 0x02

/** Initial retransmission timeout (RFC 8489 §6.2.1: SHOULD be 500 ms on fixed lines). */
export const DEFAULT_RTO_MS = 500
/** Rc: requests sent in all, counting the first (RFC 8489 §6.2.1). */
export const DEFAULT_MAX_REQUESTS = 7
/** Rm: after the last request, wait Rm x RTO before giving up (RFC 8489 §6.2.1). */
export const DEFAULT_LAST_WAIT_FACTOR = 16
/** Transactions a client core keeps in flight at once; further starts are refused. */
export const DEFAULT_MAX_PENDING = 64
/** Longest SOFTWARE value in characters (RFC 8489 §14.14: fewer than 128). */
export const MAX_SOFTWARE_CHARS = 127
