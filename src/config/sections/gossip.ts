/** Transaction gossip (protocols/tx-gossip/SPEC.md, docs/gossip.md): strategy, protocol parameters, store, gossipsub tuning. */
import { z } from 'zod'
import { decimal, flag, integer, oneOf, stringList } from '../fields.ts'
import { SECOND_MS, MINUTE_MS, HOUR_MS } from '../units.ts'

const KIB = 1024
const MIB = 1024 * KIB
const GIB = 1024 * MIB
const DAY_MS = 24 * HOUR_MS

const bloomSection = z.strictObject({
  expectedItems: integer(16, 100_000_000, 100_000, 'Seen-set: transactions per Bloom generation before it rotates (must be at least gossip.recentMax)'),
  fpRate: decimal(1e-12, 0.01, 1e-6, 'Seen-set: false-positive rate (a false positive makes the node skip a new transaction until rotation)'),
  generationMs: integer(1 * MINUTE_MS, 30 * DAY_MS, 1 * HOUR_MS, 'Seen-set: a Bloom generation is reset at least this often'),
  summaryFpRate: decimal(1e-6, 0.25, 0.01, 'False-positive rate of anti-entropy summaries')
}).prefault({})

const storeSection = z.strictObject({
  maxBytes: integer(1 * MIB, 16 * 1024 * GIB, 1 * GIB, 'Most payload bytes kept in the transaction store; the oldest are evicted beyond it'),
  retentionMs: integer(1 * MINUTE_MS, 3650 * DAY_MS, 7 * DAY_MS, 'Transactions older than this are removed from the store'),
  cacheMaxBytes: integer(0, 64 * GIB, 64 * MIB, 'Most payload bytes kept in the in-memory cache in front of the store'),
  cacheTtlMs: integer(1 * SECOND_MS, 30 * DAY_MS, 10 * MINUTE_MS, 'Entries leave the in-memory cache after this long')
}).prefault({})

const journalSection = z.strictObject({
  maxEntries: integer(1_000, 100_000_000, 1_000_000, 'The journal (apps\' subscription cursors and ListTransactions) keeps the newest this many sequence numbers; older entries are dropped and their cursors expire (checked every 10 minutes, and whenever the journal grows 10 % past it)'),
  retentionMs: integer(1 * MINUTE_MS, 3650 * DAY_MS, 7 * DAY_MS, 'Journal entries older than this are dropped and their cursors expire (checked every 10 minutes)')
}).prefault({})

const gossipsubSection = z.strictObject({
  d: integer(1, 100, 6, 'gossipsub strategy: target mesh degree D'),
  dlo: integer(1, 100, 4, 'gossipsub strategy: fewest mesh peers before grafting more (Dlo)'),
  dhi: integer(1, 200, 12, 'gossipsub strategy: most mesh peers before pruning (Dhi)'),
  heartbeatIntervalMs: integer(100, 60 * SECOND_MS, 1000, 'gossipsub strategy: heartbeat period (mesh maintenance and IHAVE gossip)'),
  floodPublish: flag(true, 'gossipsub strategy: the publisher sends to every subscribed peer, not only its mesh'),
  sign: flag(false, 'gossipsub strategy: sign messages (StrictSign). Off by default: transactions carry their own integrity (tx id = SHA-256), as in the sorcha strategy'),
  ipColocationWhitelist: stringList([], 'gossipsub strategy: IP addresses exempt from the IP-colocation score penalty; peers sharing one IP (one host, one NAT) otherwise push each other out of the mesh', 'IPv4 or IPv6 addresses', /^[0-9A-Fa-f:.]{2,45}$/)
}).prefault({})

const reconcileSection = z.strictObject({
  enabled: flag(true, 'Reconcile the transaction store with peers (range-based set reconciliation, protocols/tx-gossip/SPEC.md §9), so a node that was offline or cut off gets every transaction it missed, however many'),
  intervalMs: integer(0, DAY_MS, 60 * SECOND_MS, 'Mean period of reconciliations with one random neighbour (jittered 0.5-1.5x); 0 turns periodic rounds off (the node still reconciles when it connects)'),
  onConnect: flag(true, 'Reconcile with every peer this node connects to'),
  windowMs: integer(1 * MINUTE_MS, 3650 * DAY_MS, 7 * DAY_MS, 'Reconcile transactions published at most this long ago'),
  settleMs: integer(0, 10 * MINUTE_MS, 2 * SECOND_MS, 'Missing transactions younger than this may still be arriving by push: they are fetched, but do not start a cascade of reconciliations with the other neighbours'),
  maxItems: integer(1024, 100_000_000, 4_194_304, 'Most transactions in the reconciliation index (about 100 bytes of memory each); beyond it the earliest stored are left out')
}).prefault({})

/** The `gossip` section of the configuration. */
export const gossipSection = z.strictObject({
  strategy: oneOf(['sorcha', 'gossipsub'], 'sorcha', 'How transactions spread: sorcha (announce/pull with Bloom-filter anti-entropy) or gossipsub (one topic per register)'),
  registers: stringList([], 'Registers this node serves: it fetches, stores, reconciles and hands to the application only their transactions (sorcha: announcements name their register; gossipsub: one topic per register). Empty means every register, for both strategies (gossipsub then subscribes to the topic of all registers, /sorcha/tx/*). Changed at run time by follow/unfollow (docs/gossip.md)', 'register ids (1-128 of A-Z a-z 0-9 . _ : -)', /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/),
  relayAllRegisters: flag(false, 'Handle every register\'s transactions (fetch, store, relay, reconcile) whatever gossip.registers says, handing only the served ones to the application: for bootstrap and relay nodes that keep registers\' sub-meshes connected. Advertised as the role relay'),
  fanout: integer(0, 1024, 8, 'Neighbours a new transaction is announced to; 0 announces to every neighbour'),
  inlineThresholdBytes: integer(0, 1 * MIB, 256, 'Transactions up to this size travel with the announcement instead of being pulled; 0 always pulls'),
  publishPushMaxBytes: integer(0, 64 * KIB, 64 * KIB, 'The publisher sends transactions up to this size straight to its first-hop neighbours (they cannot have them yet) instead of announcing them; 0 always announces'),
  pushTree: flag(true, 'Push trees (protocols/tx-gossip/SPEC.md §3.8): each node asks the neighbour that first offered it a publisher\'s latest transaction to push it that publisher\'s next ones, so bodies travel the fastest paths at one one-way delay per hop, about once per node; everything else is still announced'),
  pushTreeWaitMs: integer(0, 60 * SECOND_MS, 50, 'Push trees: an announcement from a neighbour other than this node\'s parent for the publisher waits this long for the parent\'s push before the body is requested; 0 requests at once'),
  hopLimit: integer(1, 255, 16, 'Relays a transaction may travel from its publisher'),
  antiEntropyIntervalMs: integer(0, DAY_MS, 10 * SECOND_MS, 'Mean period of anti-entropy rounds with a random neighbour (jittered 0.5-1.5x); 0 turns periodic rounds off'),
  recentMax: integer(16, 10_000_000, 4096, 'Recent transactions remembered exactly and offered in anti-entropy'),
  requestTimeoutMs: integer(100, 10 * MINUTE_MS, 5 * SECOND_MS, 'A fetch with no progress for this long moves to the next peer that announced the transaction'),
  maxInflight: integer(1, 1_000_000, 4096, 'Transactions fetched at once'),
  maxInflightBytes: integer(1 * MIB, 64 * GIB, 512 * MIB, 'Sum of the sizes of transactions fetched at once (bounds memory for partial bodies)'),
  maxInflightPerSource: integer(1, 1_000_000, 512, 'Transactions fetched at once from one peer, at most (its credit: halved by each fetch it leaves unserved, one back for each it delivers); its further announcements wait in a queue of its own (protocols/tx-gossip/SPEC.md §3.6, docs/security.md)'),
  maxInflightBytesPerSource: integer(1 * MIB, 64 * GIB, 64 * MIB, 'Sum of the announced sizes of transactions fetched at once from one peer (one fetch of any accepted size is always allowed), so that announcements of huge transactions a peer never serves cannot take the whole maxInflightBytes'),
  maxTxBytes: integer(1, 4 * GIB, 64 * MIB, 'Largest transaction payload accepted or published'),
  chunkSizeBytes: integer(1 * KIB, 1 * MIB, 64 * KIB, 'Large transactions stream in chunks of this size'),
  compressionThresholdBytes: integer(0, 1 * GIB, 1 * KIB, 'Chunks at least this large are gzip-compressed when that saves 5 % or more; 0 never compresses'),
  streamTimeoutMs: integer(1 * SECOND_MS, 10 * MINUTE_MS, 30 * SECOND_MS, 'Opening a stream, or waiting for a congested one to drain, fails after this long'),
  bloom: bloomSection,
  store: storeSection,
  journal: journalSection,
  gossipsub: gossipsubSection,
  reconcile: reconcileSection
}).superRefine((gossip, ctx) => {
  if (gossip.bloom.expectedItems < gossip.recentMax) {
    ctx.addIssue({ code: 'custom', path: ['bloom', 'expectedItems'], message: 'must be at least gossip.recentMax', params: { allowed: `an integer no less than gossip.recentMax (${gossip.recentMax})` } })
  }
  const { d, dlo, dhi } = gossip.gossipsub
  if (!(dlo <= d && d <= dhi)) {
    ctx.addIssue({ code: 'custom', path: ['gossipsub', 'd'], message: 'must satisfy dlo <= d <= dhi', params: { allowed: `an integer from gossip.gossipsub.dlo (${dlo}) to gossip.gossipsub.dhi (${dhi})` } })
  }
}).prefault({})
