/** The tx-gossip protocol core and its Bloom filter (SPEC.md). */
export { createTxGossipCore, type TxGossipCore, type TxGossipCoreOptions } from './core.ts'
export { resolveGossipConfig, pushFanoutMean, GossipConfigError, DEFAULT_GOSSIP_CONFIG } from './config.ts'
export { BloomFilter, bloomSize, bloomFalsePositiveRate, BLOOM_MAX_BYTES, BLOOM_MAX_K, type BloomFilterWire } from './bloom-filter.ts'
export { RotatingBloom, WordArena, type RotatingBloomOptions } from './rotating-bloom.ts'
export { murmur3, murmur3Pair } from './murmur3.ts'
export { roundedCount } from './announce.ts'
export { TX_GOSSIP_PROTOCOL } from './constants.ts'
export type * from './types.ts'
