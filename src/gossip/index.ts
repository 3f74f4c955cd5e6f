/**
 * Transaction gossip for the node (protocols/tx-gossip/SPEC.md, docs/gossip.md). `txGossip(init)`
 * is a libp2p service factory in the js-libp2p shape; `gossipContribution()` plugs it into a
 * SorchaNode as the service `gossip`, with the strategy from gossip.strategy. Apps use the
 * distributor API: `gossipOf(node).publish(...)`, `.get(...)`, `.follow(...)`, 'tx:received'.
 */
import type { GossipSubComponents } from '@libp2p/gossipsub'
import type { Libp2p, ServiceMap } from '@libp2p/interface'
import type { ServiceContribution } from '../node/sorcha-node.ts'
import type { DistributorInit } from './distributor-base.ts'
import type { TxDistributor } from './distributor.ts'
import { gossipsubDistributorClass } from './strategy-loader.ts'
import { SorchaDistributor, type SorchaGossipComponents, type SorchaGossipInit } from './sorcha-distributor.ts'

export type * from './distributor.ts'
export { TxTooLargeError, TxIdMismatchError, InvalidTransactionError, InvalidTxIdError, GossipNotStartedError, DecompressionError, GossipServiceMissingError, GossipStrategyNotLoadedError } from './errors.ts'
import { GossipServiceMissingError } from './errors.ts'
export { TX_GOSSIP_PROTOCOL, GOSSIPSUB_TOPIC_PREFIX } from './constants.ts'
export { SorchaDistributor, coreConfigOf, type SorchaGossipInit } from './sorcha-distributor.ts'
export type { GossipsubDistributor } from './gossipsub-distributor.ts'
export { topicOf, ALL_REGISTERS_TOPIC } from './topics.ts'
export { loadGossipStrategy } from './strategy-loader.ts'
export { TxStore, txIdOf } from './store/tx-store.ts'
export type { JournalRecord, JournalPage, TxJournal } from './store/sequence.ts'

/** The name of the service in the node's ServiceMap. */
export const GOSSIP_SERVICE = 'gossip'

/** Options of the gossip service (the strategy comes from init.config.strategy). */
export type TxGossipInit = SorchaGossipInit

/** The components either strategy may use (libp2p passes all of its components). */
export type TxGossipComponents = SorchaGossipComponents & GossipSubComponents

/**
 * A libp2p service factory: txGossip(init)(components) -> the distributor of the configured strategy.
 * The gossipsub strategy's code must be loaded first (loadGossipStrategy; SorchaNode.create does).
 * @throws GossipStrategyNotLoadedError
 */
export function txGossip (init: TxGossipInit): (components: TxGossipComponents) => TxDistributor {
  return (components) => init.config.strategy === 'gossipsub'
    ? new (gossipsubDistributorClass())(components, init satisfies DistributorInit)
    : new SorchaDistributor(components, init)
}

/** Contributes the gossip service to a SorchaNode (`SorchaNode.create(config, { contributions: [gossipContribution()] })`). */
export function gossipContribution (overrides: Partial<Omit<TxGossipInit, 'config' | 'storage' | 'peerId'>> = {}): ServiceContribution {
  return ({ config, storage, peerId, metrics }) => ({
    [GOSSIP_SERVICE]: txGossip({ ...overrides, config: config.gossip, queue: config.queue, storage, peerId, ...(metrics === undefined ? {} : { metrics: metrics.gossip }) })
  }) as unknown as ServiceMap
}

/** The distributor of a node built with gossipContribution(); throws if the node has none. */
export function gossipOf (node: { libp2p: Libp2p<ServiceMap> }): TxDistributor {
  const service = (node.libp2p.services as Record<string, unknown>)[GOSSIP_SERVICE]
  if (service === undefined) throw new GossipServiceMissingError()
  return service as TxDistributor
}
