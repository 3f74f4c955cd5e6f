/** Bootstrap, recursive discovery and the topology maintainer. */
import { z } from 'zod'
import { integer } from '../fields.ts'
import { SECOND_MS, MINUTE_MS, HOUR_MS } from '../units.ts'

/** The `discovery` section of the configuration. */
export const discoverySection = z.strictObject({
  intervalMs: integer(1 * SECOND_MS, 24 * HOUR_MS, 30 * SECOND_MS, 'While short of connections or known peers: the wait between Kademlia walks (doubling after each that finds nothing) and before re-asking a neighbour for its peers'),
  targetKnownPeers: integer(1, 1_000_000, 200, 'Discovery keeps walking the DHT until the peer list holds this many peers (capped at peers.maxKnown)'),
  refreshIntervalMs: integer(10 * SECOND_MS, 24 * HOUR_MS, 5 * MINUTE_MS, 'At target, how often a Kademlia walk still runs to keep the peer list fresh; also the longest back-off between walks'),
  concurrency: integer(1, 64, 4, 'Peer exchanges and dials in flight at once (Kademlia walks run one at a time)'),
  bootstrapConcurrency: integer(1, 64, 3, 'Bootstrap peers dialled at once'),
  bootstrapBackoffInitialMs: integer(10, 10 * MINUTE_MS, 1 * SECOND_MS, 'First wait before re-dialling a bootstrap peer that failed; doubles per failure, with jitter'),
  bootstrapBackoffMaxMs: integer(100, 24 * HOUR_MS, 2 * MINUTE_MS, 'Longest wait between bootstrap re-dials')
}).prefault({})
