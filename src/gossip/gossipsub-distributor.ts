/**
 * The `gossipsub` strategy: the same distributor API over @libp2p/gossipsub (the line maintained
 * inside js-libp2p), one topic per register (/sorcha/tx/<register id>). Messages are Transaction
 * protobufs; a topic validator rejects anything whose payload does not hash to its tx id, whose
 * notification is invalid, or whose register is not the topic's (an `invalid_message` offence for
 * reputation). Tuning (D, Dlo, Dhi, heartbeat, flood publish, signing) comes from gossip.gossipsub;
 * see docs/gossip.md for why. Peer scoring is gossipsub-scoring.ts's, tied to reputation.
 *
 * The outbound queue (src/queue) publishes a transaction once its register's topic has a subscriber
 * (gossipsub sends to nobody otherwise, and would refuse the same message again for its seen window,
 * two minutes); a resend is a TransactionResend, the same transaction with a random nonce, so that
 * gossipsub's duplicate filter lets it through. Receivers decode it as a Transaction.
 */
import { createHash, randomBytes } from 'node:crypto'
import { gossipsub, StrictNoSign, StrictSign, TopicValidatorResult, type GossipSub, type GossipSubComponents, type Message } from '@libp2p/gossipsub'
import type { PeerId } from '@libp2p/interface'
import { Transaction } from '../../protos/gen/sorcha/p2p/v1/tx_gossip.ts'
import { TransactionResend } from '../../protos/gen/sorcha/p2p/v1/tx_queue.ts'
import type { QueueTransport } from '../queue/types.ts'
import { hexEquals, toHex, validateTransactionNotification } from '../../protocols/models/index.ts'
import { ALL_REGISTERS } from '../../protocols/reconcile/index.ts'
import { FRAME_OVERHEAD_BYTES, GOSSIPSUB_TOPIC_PREFIX } from './constants.ts'
import { ALL_REGISTERS_TOPIC, topicOf } from './topics.ts'
import { DistributorBase, type DistributorInit } from './distributor-base.ts'
import type { DistributorStats } from './distributor.ts'
import { txIdHexOf } from './store/tx-store.ts'
import { gossipsubReconciler, type Reconciler, type ReconcilerComponents } from './reconcile/index.ts'
import { gossipsubCounters, type GossipsubCounts } from './gossipsub-counters.ts'
import { GOSSIPSUB_SCORE_THRESHOLDS, peerScoreParams, penaliseLowScores, topicScoreParams, type ScoredRouter } from './gossipsub-scoring.ts'
import { reputationOf } from '../reputation/index.ts'
import type { ReputationPort } from '../reputation/port.ts'

/** The components the gossipsub strategy uses: gossipsub's, and the optional connectivity service for reconciliation. */
export type GossipsubDistributorComponents = GossipSubComponents & { connectivity?: ReconcilerComponents['connectivity'] }

/**
 * Unsigned messages' id: SHA-256 of the topic and the data, so that the same transaction published
 * to its register's topic and to the topic of all registers is two messages, not a duplicate
 * (gossipsub's default for unsigned messages hashes the data only).
 */
function topicMessageId (message: Message): Uint8Array {
  return createHash('sha256').update(message.topic).update(message.data).digest()
}

/** Transaction distribution over gossipsub. */
export class GossipsubDistributor extends DistributorBase {
  readonly strategy = 'gossipsub' as const
  /** The gossipsub router (exposed for benchmarks and diagnostics). */
  readonly pubsub: GossipSub
  private delivered = 0
  private readonly components: GossipsubDistributorComponents
  private reconciler: Reconciler | undefined
  /** gossipsub's own message and byte counts, kept while the node exports metrics. */
  private readonly gossipsubCounts: Readonly<GossipsubCounts> | undefined
  // A peer subscribing to a topic may let queued transactions of its register go out.
  private readonly onSubscriptions = (): void => { this.queue.poke() }

  constructor (components: GossipsubDistributorComponents, init: DistributorInit) {
    super(init, components)
    this.components = components
    const { d, dlo, dhi, heartbeatIntervalMs, floodPublish, sign, ipColocationWhitelist } = init.config.gossipsub
    const counters = init.metrics === undefined ? undefined : gossipsubCounters()
    this.gossipsubCounts = counters?.counts
    this.pubsub = gossipsub({
      ...(counters === undefined ? {} : { metricsRegister: counters.register, metricsTopicStrToLabel: new Map() }),
      D: d,
      Dlo: dlo,
      Dhi: dhi,
      // gossipsub requires Dout < Dlo and Dout <= D/2 (v1.1 spec); its default is 2.
      Dout: Math.max(0, Math.min(2, dlo - 1, Math.floor(d / 2))),
      heartbeatInterval: heartbeatIntervalMs,
      floodPublish,
      globalSignaturePolicy: sign ? StrictSign : StrictNoSign,
      ...(sign ? {} : { msgIdFn: topicMessageId }),
      allowPublishToZeroTopicPeers: true,
      emitSelf: false,
      maxInboundDataLength: init.config.maxTxBytes + FRAME_OVERHEAD_BYTES,
      // Peer scoring, tied to the node's reputation (gossipsub-scoring.ts, docs/security.md).
      scoreParams: peerScoreParams({ reputation: () => this.reputation(), ipColocationWhitelist }) as never,
      scoreThresholds: GOSSIPSUB_SCORE_THRESHOLDS
    })(components)
  }

  /** The reputation service, when the node runs one (looked up once, at start: see reputation()). */
  private reputationPort: (ReputationPort & { standing?: (peer: string) => { score: number } }) | undefined
  private reputationLooked = false

  /**
   * The reputation service, when the node runs one. Looked up once: gossipsub asks for it per peer at
   * every heartbeat (its score) and per message, and an absent service costs a thrown error per lookup.
   */
  private reputation (): (ReputationPort & { standing?: (peer: string) => { score: number } }) | undefined {
    if (!this.reputationLooked) {
      this.reputationPort = reputationOf(this.components) as (ReputationPort & { standing?: (peer: string) => { score: number } }) | undefined
      this.reputationLooked = true
    }
    return this.reputationPort
  }

  private readonly onHeartbeat = (): void => {
    penaliseLowScores(this.pubsub as unknown as ScoredRouter, this.reputation())
  }

  protected async onStart (): Promise<void> {
    this.pubsub.addEventListener('subscription-change', this.onSubscriptions)
    this.pubsub.addEventListener('gossipsub:heartbeat', this.onHeartbeat)
    await (this.pubsub as unknown as { start: () => Promise<void> }).start()
    this.syncSubscriptions()
    this.addEventListener('registers:changed', this.onRegistersChanged)
    if (this.config.reconcile.enabled) await this.startReconciler()
  }

  /** The topics this node subscribes to: its registers', and the topic of all registers when it serves or relays all. */
  private wantedTopics (): Map<string, string> {
    const topics = new Map<string, string>()
    if (this.followed.size === 0 || this.relaysAll()) topics.set(ALL_REGISTERS_TOPIC, ALL_REGISTERS)
    for (const registerId of this.followed) topics.set(topicOf(registerId), registerId)
    return topics
  }

  /** Subscribes to the wanted topics and leaves the others (at start, and at each change of the served set). */
  private syncSubscriptions (): void {
    const wanted = this.wantedTopics()
    for (const topic of this.pubsub.getTopics()) {
      if (wanted.has(topic) || !topic.startsWith(GOSSIPSUB_TOPIC_PREFIX)) continue
      this.pubsub.unsubscribe(topic)
      this.pubsub.topicValidators.delete(topic)
    }
    const subscribed = new Set(this.pubsub.getTopics())
    for (const [topic, registerId] of wanted) if (!subscribed.has(topic)) this.subscribe(topic, registerId)
  }

  // The served set changed: subscriptions follow at once, reconciliation restarts with the new scopes.
  private readonly onRegistersChanged = (): void => {
    if (!this.started) return
    this.syncSubscriptions()
    if (this.reconciler === undefined) return
    const previous = this.reconciler
    this.reconciler = undefined
    this.reconcilerSwap = this.reconcilerSwap.then(async () => {
      await previous.stop()
      if (this.started && this.reconciler === undefined) await this.startReconciler()
    }).catch((err: unknown) => { this.log.warn({ err }, 'could not restart reconciliation after the served registers changed') })
  }

  private reconcilerSwap: Promise<void> = Promise.resolve()

  // SPEC.md §9.2: gossipsub holds only the registers it serves, so it reconciles each of them (`*`
  // when it serves or relays every register), and pulls on the reconciliation protocol (gossipsub
  // has no fetch).
  private async startReconciler (): Promise<void> {
    this.reconciler = gossipsubReconciler({
      components: this.components as unknown as ReconcilerComponents,
      store: this.store,
      config: this.config,
      self: this.self,
      registers: new Set(this.wantedTopics().values()),
      // Stored before delivery like any received transaction; a failed write leaves it missing, so a
      // later session finds it again.
      accept: (id, tx, from) => {
        this.accept(id, tx, from, 1).catch((err: Error) => { this.log.warn({ txId: id, from, err: err.message }, 'could not store a reconciled transaction') })
      },
      onVerdict: (peer, verdict, code) => {
        this.emitVerdict({ peer, verdict, code })
        if (verdict === 'reject') this.reputation()?.penalise(peer, 'invalid_message', code)
      },
      onRecovered: id => { this.eventLog?.emit('tx_recovered', { txId: id, reason: 'reconciliation' }) },
      backlogSince: () => this.queue.oldestQueuedAtMs,
      log: this.log
    })
    await this.reconciler.start()
  }

  protected async onStop (): Promise<void> {
    this.removeEventListener('registers:changed', this.onRegistersChanged)
    await this.reconcilerSwap
    await this.reconciler?.stop()
    this.reconciler = undefined
    this.pubsub.removeEventListener('subscription-change', this.onSubscriptions)
    this.pubsub.removeEventListener('gossipsub:heartbeat', this.onHeartbeat)
    await (this.pubsub as unknown as { stop: () => Promise<void> }).stop()
  }

  protected queueTransport (): QueueTransport {
    return {
      reach: registerId => new Set([...this.pubsub.getSubscribers(topicOf(registerId)), ...this.pubsub.getSubscribers(ALL_REGISTERS_TOPIC)].map(String)).size,
      // gossipsub queues without bound; the queue yields to the event loop every FLUSH_SLICE sends.
      room: () => Infinity,
      announce: async (_id, transaction) => this.publishTx(transaction, false),
      resend: async (_id, transaction) => { await this.publishTx(transaction, true) }
    }
  }

  /** Publishes to the register's topic and to the topic of all registers; true if some peer was sent it. */
  private async publishTx (transaction: Transaction, resend: boolean): Promise<boolean> {
    const [ownTopic, allTopic] = await Promise.all([
      this.publishOn(topicOf(transaction.notification?.registerId ?? ''), transaction, resend),
      this.publishOn(ALL_REGISTERS_TOPIC, transaction, resend)
    ])
    return ownTopic || allTopic
  }

  private async publishOn (topic: string, transaction: Transaction, resend: boolean): Promise<boolean> {
    const data = resend
      ? TransactionResend.encode({ notification: transaction.notification, payload: transaction.payload, resendNonce: randomBytes(8) }).finish()
      : Transaction.encode(transaction).finish()
    try {
      return (await this.pubsub.publish(topic, data)).recipients.length > 0
    } catch (err) {
      // Published before within gossipsub's seen window (a first send that reached nobody): resend.
      if (!resend && (err as Error).message === 'PublishError.Duplicate') return this.publishOn(topic, transaction, true)
      throw err
    }
  }

  protected counters (): Omit<DistributorStats, 'strategy' | 'published' | 'rejects' | 'store'> {
    // gossipsub counts messages and bytes only while it has a metrics register (metrics on); without,
    // the benchmarks count bytes at stream level.
    const c = this.gossipsubCounts
    return {
      delivered: this.delivered,
      bodiesReceived: c === undefined ? 0 : c.valid + c.duplicates + c.invalid,
      bytesSent: c?.bytesOut ?? 0,
      peers: this.pubsub.getPeers().length,
      reconcile: this.reconciler?.stats(),
      ...(c === undefined ? {} : { gossipsub: { ...c } })
    }
  }

  private subscribe (topic: string, registerId: string): void {
    // gossipsub scores only topics with parameters; they are added as registers are followed.
    ;(this.pubsub as unknown as { score: { params: { topics: Record<string, unknown> } } }).score.params.topics[topic] = topicScoreParams()
    this.pubsub.topicValidators.set(topic, (peer, message) => this.validate(peer, message, registerId))
    this.pubsub.subscribe(topic)
  }

  /**
   * Checks a message, then stores it before accepting it: gossipsub forwards only accepted messages,
   * and the application hears of a transaction only once it is stored (accept()). A failed write
   * ignores the message (no penalty for the peer, nothing forwarded or delivered, nothing kept);
   * gossipsub's own duplicate cache (seenTTL, 2 minutes) drops copies of it for that long.
   */
  private async validate (peer: PeerId, message: Message, registerId: string): Promise<TopicValidatorResult> {
    const reject = (code: string): TopicValidatorResult => {
      this.emitVerdict({ peer: peer.toString(), verdict: 'reject', code })
      this.reputation()?.penalise(peer.toString(), 'invalid_message', code)
      return TopicValidatorResult.Reject
    }
    let tx: Transaction
    try {
      tx = Transaction.decode(message.data)
    } catch {
      return reject('malformed-frame')
    }
    const n = tx.notification
    const registerOk = registerId === ALL_REGISTERS || n?.registerId === registerId
    if (n === undefined || !validateTransactionNotification(n).ok || !registerOk || n.sizeBytes !== tx.payload.length) return reject('bad-notification')
    if (tx.payload.length > this.config.maxTxBytes) return reject('too-large')
    if (!hexEquals(n.txId, txIdHexOf(tx.payload))) return reject('tx-id-mismatch')
    const id = toHex(n.txId)
    // Reputation graylists the peer: its valid messages are neither delivered nor forwarded (no penalty).
    if (this.reputation()?.isGraylisted(peer.toString()) === true) {
      this.emitVerdict({ peer: peer.toString(), verdict: 'ignore', code: 'graylisted' })
      return TopicValidatorResult.Ignore
    }
    try {
      // gossipsub does not track hops; 1 (one relay at least) is reported.
      if (await this.accept(id, tx, peer.toString(), 1) === 'stored') this.delivered++
      // A duplicate is still forwarded: a resend may be what a peer that missed it needs.
      return TopicValidatorResult.Accept
    } catch (err) {
      this.log.warn({ err, txId: id }, 'could not store a received transaction; it is not delivered or forwarded')
      return TopicValidatorResult.Ignore
    }
  }
}
