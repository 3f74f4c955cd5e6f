/** The connectivity core: offline / connecting / online / degraded, and the operator's suspended (SPEC.md). */
export { ConnectivityCore, classify, cleanNote, isUsable } from './core.ts'
export type {
  ConnectivityChange, ConnectivityEffect, ConnectivityInput, ConnectivityParams, ConnectivityReason, ConnectivitySnapshot,
  ConnectivityState, ConnectivityTraceEvent, ConnectivityView, Suspension
} from './types.ts'
export * from './constants.ts'
