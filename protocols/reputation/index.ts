/** Reputation core: misbehaviour scores, thresholds and escalating bans (SPEC.md). */
export {
  ReputationCore, DEFAULT_REPUTATION_CONFIG, decayed, reaches, rememberedBans, banDurationMs,
  type ReputationConfig, type ReputationAction, type Standing
} from './core.ts'
export * from './constants.ts'
export { parseIp, rangeOf, cidrOf, inAnyCidr, refusesInRange, IPV4_RANGE_BITS, IPV6_RANGE_BITS, type Cidr } from './ip-ranges.ts'
export { offenceOfVerdict } from './verdicts.ts'
