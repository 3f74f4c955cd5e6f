/** Topology core parameters for unit tests (protocols/topology), each test overriding what it exercises. */
import type { TopologyParams } from '../../protocols/topology/index.ts'

/** Small, round numbers; the register degree off. */
export const TEST_TOPOLOGY_PARAMS: Readonly<TopologyParams> = Object.freeze({
  registerDegree: 0,
  minConnections: 4,
  dialConcurrency: 4,
  bootstrapConcurrency: 2,
  bootstrapBackoffInitialMs: 1000,
  bootstrapBackoffMaxMs: 60_000,
  peerBackoffInitialMs: 2000,
  peerBackoffMaxMs: 120_000,
  targetKnownPeers: 20,
  exhaustedAfter: 1000,
  discoveryIntervalMs: 30_000,
  refreshIntervalMs: 300_000,
  exchangeIntervalMs: 300_000,
  exchangeConcurrency: 2,
  tickIntervalMs: 5000,
  maxTrackedPeers: 3
})
