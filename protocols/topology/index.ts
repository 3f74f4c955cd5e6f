/** The topology maintainer core: bootstrap with backoff, dialing to the connection target, discovery rounds. */
export { TopologyCore, type TopologySnapshot } from './core.ts'
export type { TopologyParams, TopologyInput, TopologyEffect, TopologyTraceEvent, BootstrapPeer, DialCandidate } from './types.ts'
export { advertisedRecord, chooseExchangePeers, judgeAdvert, judgeExchangeResponse, knowsRegisters, EXCHANGE_LIMITS, type ExchangeJudgement, type ExchangeRejectCode } from './exchange.ts'
