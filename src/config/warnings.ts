/**
 * Settings that are valid one by one but work against each other in a mesh of nodes configured
 * alike: the node starts, and logs one warning for each, naming the settings and the fix.
 */
import type { Config } from './schema.ts'

/** One warning: the settings concerned and what goes wrong. */
export interface ConfigWarning {
  settings: string[]
  message: string
}

/** The warnings `config` deserves (none for the defaults). */
export function configWarnings (config: Config): ConfigWarning[] {
  const warnings: ConfigWarning[] = []
  // One summary per round goes to one neighbour: with a single neighbour, 1000 / interval per second
  // on average. A peer with the same limits throttles more than its bucket's rate, counts each
  // throttling episode as a rate_limited offence and, after six, graylists this node.
  const interval = config.gossip.antiEntropyIntervalMs
  const rate = config.limits.gossipAntiEntropy.ratePerSec
  if (config.gossip.strategy === 'sorcha' && interval > 0 && 1000 / interval > rate) {
    warnings.push({
      settings: ['gossip.antiEntropyIntervalMs', 'limits.gossipAntiEntropy.ratePerSec'],
      message: `gossip.antiEntropyIntervalMs ${interval} sends up to ${+(1000 / interval).toFixed(3)} anti-entropy summaries per second to a peer, more than limits.gossipAntiEntropy.ratePerSec (${rate}) lets a peer configured alike take: such peers will throttle this node and count it as an offence; raise the interval to at least ${Math.ceil(1000 / rate)} ms or the limit on every node to at least ${+(1000 / interval).toFixed(3)}`
    })
  }
  return warnings
}
