/**
 * The feature services every node runs, in dependency order (a service may use the ones before it,
 * which libp2p hands it as components by name).
 */
import type { Config } from '../config/index.ts'
import { topologyContribution } from '../discovery/index.ts'
import type { ServiceContribution } from './sorcha-node.ts'

/** The contributions of a standard node. */
export function defaultContributions (_config: Readonly<Config>): ServiceContribution[] {
  return [
    topologyContribution
  ]
}
