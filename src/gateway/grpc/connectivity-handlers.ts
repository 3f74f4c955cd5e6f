/** The gRPC implementation of the Connectivity service, over GatewayOperations. */
import type { UntypedServiceImplementation } from '@grpc/grpc-js'
import type { ConnectivityServer } from '../../../protos/gen/sorcha/api/v1/connectivity.ts'
import type { GatewayOperations } from '../operations.ts'
import type { CallGuard } from './call-context.ts'
import { serverStream, unary } from './wrap.ts'

/** Connectivity over the operations. */
export function connectivityHandlers (ops: GatewayOperations, guard: CallGuard): ConnectivityServer & UntypedServiceImplementation {
  return {
    getConnectivity: unary(guard, async (_req, signal) => ops.connectivity({ signal })),
    suspend: unary(guard, async (req, signal) => ops.suspend(req.note, { signal })),
    resume: unary(guard, async (_req, signal) => ops.resume({ signal })),
    watchConnectivity: serverStream(guard, (_req, signal) => ops.watchConnectivity({ signal }))
  } as ConnectivityServer & UntypedServiceImplementation
}
