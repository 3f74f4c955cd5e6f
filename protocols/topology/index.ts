/** The topology maintainer core: bootstrap with backoff, dialing to the connection target, discovery rounds. */
export { TopologyCore, type TopologySnapshot } from './core.ts'
export type { TopologyParams, TopologyInput, TopologyEffect, TopologyTraceEvent, BootstrapPeer, DialCandidate, RegisterView } from './types.ts'
export type { RegisterDegreeSnapshot } from './registers.ts'
export { advertisedRecord, chooseExchangePeers, judgeAdvert, judgeExchangeResponse, knowsRegisters, servesRegister, EXCHANGE_LIMITS, type ExchangeJudgement, type ExchangeRejectCode } from './exchange.ts'
