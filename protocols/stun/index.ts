/** STUN (RFC 8489/5389) codec, client transaction core and RFC 5780 NAT behaviour discovery; all pure. */
export * from './constants.ts'
export { crc32 } from './crc32.ts'
export * from './ip.ts'
export * from './message.ts'
export * from './attributes.ts'
export * from './binding.ts'
export * from './transactions.ts'
export * from './behaviour.ts'
