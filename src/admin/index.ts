/**
 * The admin operations of a node (issue 17): connected peers, dial, disconnect, ban and unban,
 * run-time log levels, node info with NAT type and reachability, and statistics. The gateway serves
 * them as the sorcha.api.v1.Admin gRPC service and under /v1/admin/... in REST (docs/admin.md),
 * behind the access rule of access.ts.
 */
export { AdminOperations, DIAL_TIMEOUT_MS, MAX_BAN_DURATION_MS, DEFAULT_BAN_REASON, parseMultiaddr } from './operations.ts'
export { adminNodeOfComponents, adminNodeOfLibp2p, type AdminNode, type AdminComponents, type AdminLibp2p, type AdminPeerList, type ConnectionView } from './parts.ts'
export { adminAccess, isLoopbackHost, type AdminAccess, type AdminListener } from './access.ts'
