/**
 * The feature services every node runs, in dependency order (a service may use the ones before it,
 * which libp2p hands it as components by name).
 */
import type { Config } from '../config/index.ts'
import { directContribution } from '../direct/index.ts'
import { topologyContribution } from '../discovery/index.ts'
import { eventLogContribution } from '../events/index.ts'
import { gatewayContribution } from '../gateway/index.ts'
import { gossipContribution } from '../gossip/index.ts'
import { peerHealthContribution } from '../health/index.ts'
import { natContribution } from '../nat/index.ts'
import { connectivityContribution } from '../queue/connectivity-service.ts'
import { reputationContribution } from '../reputation/index.ts'
import { logsContribution } from './log-contributions.ts'
import type { ServiceContribution } from './sorcha-node.ts'

/** The contributions of a standard node. */
export function defaultContributions (_config: Readonly<Config>): ServiceContribution[] {
  return [
    // First: every later service may emit through it (an optional component).
    eventLogContribution,
    peerHealthContribution(),
    // After the peer list (it bans there), before the services that report offences to it.
    reputationContribution,
    topologyContribution,
    // After the services it pauses in offline mode, before those that follow its state.
    connectivityContribution,
    natContribution,
    gossipContribution(),
    directContribution,
    logsContribution,
    // Last: it serves the others to applications, and starts once they have.
    gatewayContribution
  ]
}
