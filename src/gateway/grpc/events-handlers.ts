/** The gRPC implementation of the Events service (events.proto), over the event operations. */
import type { UntypedServiceImplementation } from '@grpc/grpc-js'
import type { EventsServer } from '../../../protos/gen/sorcha/api/v1/events.ts'
import { followEvents, listEvents } from '../event-operations.ts'
import type { GatewayOperations } from '../operations.ts'
import type { CallGuard } from './call-context.ts'
import { serverStream, unary } from './wrap.ts'

/** Events over the operations' backend. */
export function eventHandlers (ops: GatewayOperations, guard: CallGuard): EventsServer & UntypedServiceImplementation {
  return {
    listEvents: unary(guard, async (req, signal) => listEvents(ops.backend, req, { signal })),
    followEvents: serverStream(guard, (req, signal) => followEvents(ops.backend, req, { signal }))
  } as EventsServer & UntypedServiceImplementation
}
