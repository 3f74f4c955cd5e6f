/**
 * How the API's enum values are spelled, once for gRPC, REST and the CLI. The documented spelling is
 * the value's name in the .proto file (`PEER_STATUS_HEALTHY`, `PEER_ORDER_SCORE`): what gRPC clients
 * built with proto-loader use, what the proto3 JSON mapping prints, and what every JSON output of
 * REST and the CLI carries. Inputs on REST and the CLI also accept the older short spellings (REST
 * had `lastSeen` / `score`, the CLI `healthy` / `last-seen`), listed here as aliases, exactly as written.
 */
import { PeerStatus } from '../../protocols/models/index.ts'
import { ConnectivityState } from '../../protos/gen/sorcha/api/v1/connectivity.ts'
import { PeerOrder } from '../../protos/gen/sorcha/api/v1/peer_discovery.ts'
import { TransactionState } from '../../protos/gen/sorcha/api/v1/transaction_distribution.ts'

/** The spellings of one enum. */
export interface EnumSpelling<T extends number> {
  /** The proto name of the enum, e.g. PeerStatus. */
  readonly enumName: string
  /** The documented spelling of each value (its .proto name), in enum order. */
  readonly names: readonly string[]
  /** Older spellings still accepted, with their value. */
  readonly aliases: Readonly<Record<string, T>>
  /** Every accepted spelling: the names, then the aliases. */
  readonly accepted: readonly string[]
  /** The phrase that follows "allowed:" in an error: the names, then the aliases. */
  readonly allowed: string
  /** The value of a spelling; undefined for anything else. */
  parse: (text: string) => T | undefined
  /** The documented spelling of a value; undefined when it is not one. */
  nameOf: (value: number) => string | undefined
}

function spelling<T extends number> (enumName: string, values: Record<string, T>, aliases: Record<string, T>): EnumSpelling<T> {
  const entries = Object.entries(values).filter(([, v]) => v >= 0).sort((a, b) => a[1] - b[1])
  const names = entries.map(([name]) => name)
  const byName = new Map<string, T>([...entries, ...Object.entries(aliases)])
  return Object.freeze({
    enumName,
    names,
    aliases: Object.freeze({ ...aliases }),
    accepted: [...names, ...Object.keys(aliases)],
    allowed: `${names.join(', ')} (also ${Object.keys(aliases).join(', ')})`,
    parse: (text: string) => byName.get(text),
    nameOf: (value: number) => entries.find(([, v]) => v === value)?.[0]
  })
}

/** sorcha.p2p.v1.PeerStatus; aliases are the CLI's former lower-case names. */
export const PEER_STATUS: EnumSpelling<PeerStatus> = spelling('PeerStatus', PeerStatus, {
  unknown: PeerStatus.PEER_STATUS_UNKNOWN,
  connecting: PeerStatus.PEER_STATUS_CONNECTING,
  healthy: PeerStatus.PEER_STATUS_HEALTHY,
  degraded: PeerStatus.PEER_STATUS_DEGRADED,
  unreachable: PeerStatus.PEER_STATUS_UNREACHABLE,
  banned: PeerStatus.PEER_STATUS_BANNED
})

/** sorcha.api.v1.PeerOrder; aliases are REST's former `lastSeen` / `score` and the CLI's `last-seen`. */
export const PEER_ORDER: EnumSpelling<PeerOrder> = spelling('PeerOrder', PeerOrder, {
  lastSeen: PeerOrder.PEER_ORDER_LAST_SEEN,
  'last-seen': PeerOrder.PEER_ORDER_LAST_SEEN,
  score: PeerOrder.PEER_ORDER_SCORE
})

/**
 * sorcha.api.v1.ConnectivityState; aliases are the connectivity core's own names (`online`...), which
 * the node uses inside and the CLI prints.
 */
export const CONNECTIVITY_STATE: EnumSpelling<ConnectivityState> = spelling('ConnectivityState', ConnectivityState, {
  offline: ConnectivityState.CONNECTIVITY_STATE_OFFLINE,
  connecting: ConnectivityState.CONNECTIVITY_STATE_CONNECTING,
  online: ConnectivityState.CONNECTIVITY_STATE_ONLINE,
  degraded: ConnectivityState.CONNECTIVITY_STATE_DEGRADED,
  suspended: ConnectivityState.CONNECTIVITY_STATE_SUSPENDED
})
/** sorcha.api.v1.TransactionState; aliases are the backend's and the CLI's short names. */
export const TRANSACTION_STATE: EnumSpelling<TransactionState> = spelling('TransactionState', TransactionState, {
  queued: TransactionState.TRANSACTION_STATE_QUEUED,
  announced: TransactionState.TRANSACTION_STATE_ANNOUNCED,
  confirmed: TransactionState.TRANSACTION_STATE_CONFIRMED,
  received: TransactionState.TRANSACTION_STATE_RECEIVED
})

/** The short name of a transaction state ('queued'...); '' for UNSPECIFIED or an unknown value. */
export function stateName (value: number): string {
  return Object.entries(TRANSACTION_STATE.aliases).find(([, v]) => v === value)?.[0] ?? ''
}
