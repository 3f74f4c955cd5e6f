/** The gRPC implementation of the Admin service, over the admin operations, behind the admin access rule. */
import type { UntypedServiceImplementation } from '@grpc/grpc-js'
import type { AdminServer } from '../../../protos/gen/sorcha/api/v1/admin.ts'
import type { AdminAccess } from '../../admin/access.ts'
import type { AdminOperations } from '../../admin/operations.ts'
import type { CallGuard } from './call-context.ts'
import { unary } from './wrap.ts'

/** Admin over the operations; every call first passes the guard (token, rate limit), then the access rule. */
export function adminHandlers (ops: AdminOperations, guard: CallGuard, access: AdminAccess): AdminServer & UntypedServiceImplementation {
  const admin = <Req, Res>(fn: (request: Req, signal: AbortSignal) => Promise<Res> | Res) =>
    unary<Req, Res>(guard, async (request, signal) => { access.check(); return await fn(request, signal) })
  return {
    listConnectedPeers: admin(async (_req, signal) => ops.listConnectedPeers({ signal })),
    dialPeer: admin(async (req: { multiaddr: string }, signal) => ops.dialPeer(req.multiaddr, { signal })),
    disconnectPeer: admin(async (req: { peerId: string }, signal) => ops.disconnectPeer(req.peerId, { signal })),
    banPeer: admin(async (req: { peerId: string, reason: string, durationMs: number }, signal) => ops.banPeer(req.peerId, req.reason, req.durationMs, { signal })),
    unbanPeer: admin(async (req: { peerId: string }, signal) => ops.unbanPeer(req.peerId, { signal })),
    getLogLevels: admin(() => ops.logLevels()),
    setLogLevel: admin((req: { level: string, subsystem: string }) => ops.setLogLevel(req.level, req.subsystem)),
    getAdminNodeInfo: admin(() => ops.nodeInfo()),
    getStats: admin(async () => ops.stats()),
    updateServedRegisters: admin((req: { follow: string[], unfollow: string[] }) => ops.updateServedRegisters(req.follow, req.unfollow))
  } as AdminServer & UntypedServiceImplementation
}
