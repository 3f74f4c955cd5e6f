/**
 * gossipsub's peer scoring (v1.1), configured deliberately for the `gossipsub` strategy and tied to
 * the node's reputation (docs/security.md "gossipsub peer scoring"):
 *
 * - Reputation -> gossipsub: P5, the application-specific score, is minus the peer's misbehaviour
 *   score, weight 0.8. A peer reputation graylists (30 points: −24) falls below gossipThreshold (−10):
 *   no IHAVE/IWANT gossip with it; from 62.5 points below publishThreshold (−50). P5 alone reaches
 *   graylistThreshold (−80) only at the ban threshold (100): gossipsub must keep reading a suspect
 *   peer's messages so that its invalid ones still count towards the ban. Its valid messages are
 *   ignored while reputation graylists it (the distributor's validator).
 * - gossipsub -> reputation: every reject of the topic validator is an `invalid_message` offence (the
 *   distributor reports it), and a connected peer whose gossipsub score without P5 is below
 *   graylistThreshold at a heartbeat earns a `protocol_violation` offence (detail `gossipsub-score`),
 *   so gossipsub's own verdicts (invalid messages P4, broken promises and early re-grafts P7) reach
 *   the same ban book. At most one such offence per peer per heartbeat.
 */
import type { PeerId } from '@libp2p/interface'
import type { ReputationPort } from '../reputation/port.ts'

/** gossipsub's score thresholds (its defaults, kept: they match the reputation thresholds above). */
export const GOSSIPSUB_SCORE_THRESHOLDS = {
  gossipThreshold: -10,
  publishThreshold: -50,
  graylistThreshold: -80,
  // Peer exchange on PRUNE is accepted only from peers with a good record (positive, reachable by honest mesh peers).
  acceptPXThreshold: 5,
  // Positive scores are capped at topicScoreCap (10); opportunistic grafting starts when the mesh's median is below 5.
  opportunisticGraftThreshold: 5
} as const

/** Weight of P5 (the reputation score, negated): 100 reputation points (a ban) = graylistThreshold. */
export const APP_SPECIFIC_WEIGHT = 0.8

/**
 * Score parameters of one register's topic. P3 (mesh message deliveries) and P3b are off: registers
 * carry sparse, bursty traffic, and a quiet register would penalise honest mesh peers for delivering
 * nothing. P4 (invalid messages) is heavy: 3 invalid messages (3² × −10 = −90) reach graylistThreshold,
 * like the reputation graylist at 3 invalid messages; its counter decays by 0.9 per second.
 */
export function topicScoreParams (): Record<string, number> {
  return {
    topicWeight: 1,
    timeInMeshWeight: 0.01,
    timeInMeshQuantum: 1000,
    timeInMeshCap: 600,
    firstMessageDeliveriesWeight: 1,
    firstMessageDeliveriesDecay: 0.5,
    firstMessageDeliveriesCap: 10,
    meshMessageDeliveriesWeight: 0,
    meshMessageDeliveriesDecay: 0.5,
    meshMessageDeliveriesCap: 100,
    meshMessageDeliveriesThreshold: 1,
    meshMessageDeliveriesWindow: 10,
    meshMessageDeliveriesActivation: 5000,
    meshFailurePenaltyWeight: 0,
    meshFailurePenaltyDecay: 0.5,
    invalidMessageDeliveriesWeight: -10,
    invalidMessageDeliveriesDecay: 0.9
  }
}

/** The peer-level score parameters. */
export function peerScoreParams (options: { reputation: () => ReputationPort & { standing?: (peer: string) => { score: number } } | undefined, ipColocationWhitelist: readonly string[] }): Record<string, unknown> {
  return {
    topics: {},
    topicScoreCap: 10,
    appSpecificScore: (peer: string) => -(options.reputation()?.standing?.(peer).score ?? 0),
    appSpecificWeight: APP_SPECIFIC_WEIGHT,
    // P6: more than 10 peers on one IP cost (n − 10)² × 5; the gater's IP-range limit keeps
    // non-allow-listed ranges well below that, and gossip.gossipsub.ipColocationWhitelist exempts shared hosts.
    IPColocationFactorWeight: -5,
    IPColocationFactorThreshold: 10,
    IPColocationFactorWhitelist: new Set(options.ipColocationWhitelist),
    // P7: broken IWANT promises and re-grafts during backoff, squared, decaying by 0.2 per interval... as gossipsub's default.
    behaviourPenaltyWeight: -10,
    behaviourPenaltyThreshold: 0,
    behaviourPenaltyDecay: 0.2,
    decayInterval: 1000,
    decayToZero: 0.1,
    retainScore: 60 * 60_000
  }
}

/** What the score watch reads of the router (GossipSub's class has these; its interface does not). */
export interface ScoredRouter {
  getPeers: () => PeerId[]
  getScore: (peer: string) => number
}

/**
 * At each heartbeat: every connected peer whose gossipsub score, less its P5 part, is below
 * graylistThreshold is reported to reputation as a `protocol_violation` (detail `gossipsub-score`).
 */
export function penaliseLowScores (router: ScoredRouter, reputation: (ReputationPort & { standing?: (peer: string) => { score: number } }) | undefined): number {
  if (reputation === undefined) return 0
  let penalised = 0
  for (const peerId of router.getPeers()) {
    const peer = peerId.toString()
    const own = router.getScore(peer) + APP_SPECIFIC_WEIGHT * (reputation.standing?.(peer).score ?? 0)
    if (own < GOSSIPSUB_SCORE_THRESHOLDS.graylistThreshold) {
      reputation.penalise(peer, 'protocol_violation', 'gossipsub-score')
      penalised++
    }
  }
  return penalised
}
