/**
 * The gossipsub strategy's code (gossipsub-distributor.ts and the @libp2p/gossipsub package under it)
 * is loaded only by a node configured with `gossip.strategy: gossipsub`: SorchaNode.create awaits
 * loadGossipStrategy before it builds the services, and txGossip, a synchronous libp2p service
 * factory, takes the class from here. A node with the default sorcha strategy never loads it.
 */
import { importOptional } from '../config/optional-module.ts'
import { GossipStrategyNotLoadedError } from './errors.ts'
import type * as GossipsubStrategy from './gossipsub-distributor.ts'
import type { GossipsubDistributor } from './gossipsub-distributor.ts'

type GossipsubModule = typeof GossipsubStrategy

let gossipsubModule: GossipsubModule | undefined

/**
 * Loads the code of `strategy` if it has code of its own (gossipsub), once per process.
 * @throws OptionalModuleError (a start-up failure naming gossip.strategy) when it cannot be loaded
 */
export async function loadGossipStrategy (strategy: string): Promise<void> {
  if (strategy !== 'gossipsub' || gossipsubModule !== undefined) return
  gossipsubModule = await importOptional('@libp2p/gossipsub', 'gossip.strategy', strategy, async () => await import('./gossipsub-distributor.ts'))
}

/**
 * The gossipsub distributor class, once loadGossipStrategy('gossipsub') has run.
 * @throws GossipStrategyNotLoadedError
 */
export function gossipsubDistributorClass (): typeof GossipsubDistributor {
  if (gossipsubModule === undefined) throw new GossipStrategyNotLoadedError('gossipsub')
  return gossipsubModule.GossipsubDistributor
}
