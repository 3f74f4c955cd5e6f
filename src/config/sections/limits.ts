/**
 * Per-peer limits on the peer-to-peer protocols this node serves (docs/security.md "Per-peer limits"):
 * one token bucket per peer and protocol (protocols/common/token-bucket.ts). A message beyond its
 * bucket is dropped (a stream beyond it refused) and counted in sorcha_peer_throttled_total; the
 * peer is reported to the reputation service once per throttle episode.
 */
import { z } from 'zod'
import { decimal, integer } from '../fields.ts'

function bucket (what: string, ratePerSec: number, burst: number) {
  return z.strictObject({
    ratePerSec: decimal(0.001, 1_000_000, ratePerSec, `${what} per second one peer may send, on average`),
    burst: integer(1, 100_000_000, burst, `${what} one peer may send at once after a quiet period (the bucket's size)`)
  }).prefault({})
}

/** The `limits` section of the configuration. */
export const limitsSection = z.strictObject({
  maxPeers: integer(16, 1_000_000, 1024, 'Peers whose buckets are remembered per protocol; the least recently seen is forgotten beyond it (it starts again with a full bucket)'),
  // Above the network's own throughput target (a queue flushing 20,000 tx/s to one peer, a neighbour
  // relaying every transaction of a busy mesh): the bucket bounds the cost of decoding a flood, and
  // fair fetch scheduling, not this rate, keeps fake announcements from delaying honest ones.
  gossipAnnounce: bucket('tx-gossip: announced transaction ids (inventory items)', 50_000, 200_000),
  gossipFetch: bucket('tx-gossip: requested transaction ids (getdata items)', 50_000, 200_000),
  gossipAntiEntropy: bucket('tx-gossip: anti-entropy summaries', 1, 10),
  reconcile: bucket('tx-reconcile: reconciliation frames', 1000, 5000),
  peerExchange: bucket('peer exchange: requests', 0.5, 10),
  direct: bucket('direct messages: messages', 200, 1000),
  streams: bucket('inbound streams on the protocols above and the have-query (a stream-opening storm beyond it is refused and reported)', 200, 1000)
}).prefault({})
