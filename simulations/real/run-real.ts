/**
 * Real-node mode: the scenario as real libp2p nodes in one process. Not available until the gossip
 * service (src/gossip) exists; see simulations/README.md.
 */
import type { RunOptions } from '../engine/simulator.ts'
import type { SimRun } from '../run.ts'
import type { Scenario } from '../scenario/schema.ts'

/** Real-node mode cannot run in this build. */
export class RealModeUnavailableError extends Error {
  override name = 'RealModeUnavailableError'
}

/** Runs a scenario on real nodes. */
export async function runReal (_scenario: Scenario, _options: RunOptions = {}): Promise<SimRun> {
  throw new RealModeUnavailableError('real-node mode needs the tx-gossip service (src/gossip), which this build does not have yet')
}
