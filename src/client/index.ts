/**
 * The Sorcha Peer client library (package export `sorcha-peer/client`): one API over gRPC stream,
 * gRPC unary and REST, with negotiation, fallback, retries, a circuit breaker per endpoint and
 * upgrades back to the better transport.
 */
export { SorchaClient, type Established, type SorchaClientOptions } from './client.ts'
export { NoTransportError, TransportFailedError, type FailureKind } from './errors.ts'
export { describeFailures, type Audience } from './describe.ts'
export { TRANSPORTS, type Endpoint, type ClientTls, type ClientCallOptions, type FetchedTransaction, type SubmitInput, type TransportKind } from './types.ts'
export {
  ApiError, InvalidArgumentError, NotFoundError, AlreadyExistsError, ResourceExhaustedError, UnavailableError,
  DeadlineExceededError, UnauthenticatedError, UnimplementedError, CancelledError, InternalError, OutOfRangeError,
  CursorExpiredError, UnknownCursorError, FailedPreconditionError
} from '../gateway/errors.ts'
export {
  ConnectivityState, type ConnectivityChange, type ConnectivityReport, type ConnectivityStatus, type ConnectivityUpdate
} from '../../protos/gen/sorcha/api/v1/connectivity.ts'
export { type EventFilterOptions, type EventListOptions, type EventFollowOptions } from './client.ts'
export { type Event as NodeEventMessage, type ListEventsResponse } from '../../protos/gen/sorcha/api/v1/events.ts'
// Admin (issue 17)
export { PermissionDeniedError } from '../gateway/errors.ts'
export type {
  AdminNodeInfo, BanPeerResponse, ConnectedPeer, DialPeerResponse, DisconnectPeerResponse, GossipStats, ListConnectedPeersResponse, LogLevels,
  NodeStats, PeerConnection, PeerCounts, ReconcileStats, StoreStats, UnbanPeerResponse
} from '../../protos/gen/sorcha/api/v1/admin.ts'
