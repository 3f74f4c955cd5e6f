/**
 * The TransactionService over the node's gossip distributor (src/gossip, either strategy):
 * publish -> TxDistributor.publish, get -> TxDistributor.get, the journal -> its store's journal
 * (every stored transaction, local publishes too, once each, in the order stored), filtered by the
 * registers the node follows. Gossip failures become the gateway's named errors.
 */
import type { JournalRecord, ReceivedTransaction, TxDistributor, TxJournal } from '../gossip/index.ts'
import { GossipNotStartedError, InvalidTransactionError, InvalidTxIdError, TxTooLargeError } from '../gossip/index.ts'
import { QueueFullError } from '../queue/errors.ts'
import type { CallOptions, QueueStatsView, SubmitResult, TransactionMeta, TransactionSubmission } from './backend.ts'
import { InvalidArgumentError, ResourceExhaustedError, UnavailableError } from './errors.ts'
import type { JournalSource, JournalView } from './journal-source.ts'
import type { StoredBody, TransactionService } from './transactions.ts'

/** The gateway's metadata of a gossiped transaction. */
export function metaOf (tx: ReceivedTransaction): TransactionMeta {
  const n = tx.notification
  return { txId: tx.txId, registerId: n.registerId, sender: n.sender, timestampMs: n.timestampMs, sizeBytes: n.sizeBytes, contentType: n.contentType, hopCount: n.hopCount }
}

function translate (err: unknown): unknown {
  if (err instanceof TxTooLargeError) return new InvalidArgumentError('payload_too_large', err.message)
  if (err instanceof InvalidTransactionError) return new InvalidArgumentError('invalid_transaction', err.message)
  if (err instanceof InvalidTxIdError) return new InvalidArgumentError('invalid_tx_id', err.message)
  if (err instanceof GossipNotStartedError) return new UnavailableError('gossip_not_started', 'the node is not running its gossip service')
  if (err instanceof QueueFullError) return new ResourceExhaustedError('queue_full', err.message, QUEUE_FULL_RETRY_AFTER_MS)
  return err
}

/** What a client is told to wait before submitting again when the outbound queue is full. */
export const QUEUE_FULL_RETRY_AFTER_MS = 1000

function isDistributor (value: unknown): value is TxDistributor {
  const d = value as Partial<TxDistributor> | undefined
  return typeof d?.publish === 'function' && typeof d.get === 'function' && typeof d.follows === 'function' && d.journal !== undefined
}

/** A TransactionService over a gossip distributor; undefined when `gossip` is not one. */
export function gossipTransactions (gossip: unknown, maxTransactionBytes: number): TransactionService | undefined {
  if (!isDistributor(gossip)) return undefined
  return {
    maxTransactionBytes,
    publish: async (submission: TransactionSubmission, options?: CallOptions): Promise<SubmitResult> => {
      try {
        const result = await gossip.publish({ registerId: submission.registerId, payload: submission.payload, contentType: submission.contentType }, options)
        return { txId: result.txId, duplicate: result.duplicate, state: result.state }
      } catch (err) {
        throw translate(err)
      }
    },
    get: async (txId: string, options?: CallOptions): Promise<StoredBody | undefined> => {
      try {
        const tx = await gossip.get(txId, options)
        return tx === undefined ? undefined : { meta: metaOf(tx), payload: tx.payload, state: tx.state }
      } catch (err) {
        throw translate(err)
      }
    },
    queueStats: (): QueueStatsView => {
      const { commits: _commits, ...view } = gossip.queueStats()
      return view
    },
    journal: journalOf(gossip.journal),
    follows: registerId => gossip.follows(registerId)
  }
}

/** A journal record of the store as the gateway's view. */
function viewOf (record: JournalRecord): JournalView {
  const n = record.notification
  return { seq: record.seq, meta: { txId: record.id, registerId: n.registerId, sender: n.sender, timestampMs: n.timestampMs, sizeBytes: n.sizeBytes, contentType: n.contentType, hopCount: n.hopCount } }
}

/** The store's journal as a JournalSource. */
function journalOf (journal: TxJournal): JournalSource {
  return {
    get epoch () { return journal.epoch },
    get last () { return journal.last },
    get floor () { return journal.floor },
    read: async (after, limit, options) => {
      const page = await journal.read(after, limit, options)
      return { records: page.records.map(viewOf), upTo: page.upTo }
    },
    listen: listener => journal.listen(record => { listener(viewOf(record)) })
  }
}
