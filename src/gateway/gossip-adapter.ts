/**
 * The TransactionService over the node's gossip distributor (src/gossip, either strategy):
 * publish -> TxDistributor.publish, get -> TxDistributor.get, accepted transactions -> its
 * 'tx:received' events (which fire exactly once per transaction, for local publishes too, for the
 * registers the node follows). Gossip failures become the gateway's named errors.
 */
import type { TxDistributor, ReceivedTransaction } from '../gossip/index.ts'
import { GossipNotStartedError, InvalidTransactionError, InvalidTxIdError, TxTooLargeError } from '../gossip/index.ts'
import type { CallOptions, SubmitResult, TransactionMeta, TransactionSubmission } from './backend.ts'
import { InvalidArgumentError, UnavailableError } from './errors.ts'
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
  return err
}

function isDistributor (value: unknown): value is TxDistributor {
  const d = value as Partial<TxDistributor> | undefined
  return typeof d?.publish === 'function' && typeof d.get === 'function' && typeof d.addEventListener === 'function'
}

/** A TransactionService over a gossip distributor; undefined when `gossip` is not one. */
export function gossipTransactions (gossip: unknown, maxTransactionBytes: number): TransactionService | undefined {
  if (!isDistributor(gossip)) return undefined
  return {
    maxTransactionBytes,
    publish: async (submission: TransactionSubmission, options?: CallOptions): Promise<SubmitResult> => {
      try {
        const result = await gossip.publish({ registerId: submission.registerId, payload: submission.payload, contentType: submission.contentType }, options)
        return { txId: result.txId, duplicate: result.duplicate }
      } catch (err) {
        throw translate(err)
      }
    },
    get: async (txId: string, options?: CallOptions): Promise<StoredBody | undefined> => {
      try {
        const tx = await gossip.get(txId, options)
        return tx === undefined ? undefined : { meta: metaOf(tx), payload: tx.payload }
      } catch (err) {
        throw translate(err)
      }
    },
    onAccepted: listener => {
      const handler = (event: CustomEvent<ReceivedTransaction>): void => { listener(metaOf(event.detail)) }
      gossip.addEventListener('tx:received', handler)
      return () => { gossip.removeEventListener('tx:received', handler) }
    }
  }
}
