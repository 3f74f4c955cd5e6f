/** Peer-health core: observation merging, health transitions, scores, sampling and eviction (SPEC.md). */
export { mergeObservation, cleanAddresses, type Observation, type MergeResult } from './observe.ts'
export {
  applySuccess, applyFailure, applyDialing, applyBan, applyUnban, liftExpiredBan, isBanActive, isBanExpired,
  nextLatency, removalReason, seenMs, type RemovalReason, type BanInput
} from './transitions.ts'
export { peerScore, latencyPoints, withScore } from './peer-score.ts'
export { selectHealthSample, chooseEviction, lowestValued, evictionValue, type SampleOptions } from './selection.ts'
export { networkHealth, latencyFraction, median, type NetworkHealth, type NetworkHealthInputs } from './network-score.ts'
export { DEFAULT_HEALTH_RULES, type HealthRules } from './rules.ts'
export * from './constants.ts'
