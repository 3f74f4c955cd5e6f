/** Liveness and readiness probes: the state and verdict (readiness.ts) and the HTTP listener (ops-server.ts). */
export { NodeProbes, evaluateReadiness, isLive, SUSPENDED_DETAIL, type Check, type Lifecycle, type NodeProbesEvents, type ProbeSource, type ProbeState, type ReadinessReport } from './readiness.ts'
export { OpsServer, type OpsServerInit } from './ops-server.ts'
