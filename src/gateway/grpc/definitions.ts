/**
 * The generated grpc-js service definitions, with request decoding made total: a request larger
 * than `maxMessageBytes` or not valid protobuf becomes a BadRequest marker instead of an exception,
 * so the handler answers INVALID_ARGUMENT with a reason (grpc-js itself would answer INTERNAL for a
 * decode failure, and RESOURCE_EXHAUSTED above its receive limit).
 */
import type { ServiceDefinition } from '@grpc/grpc-js'
import { AdminService } from '../../../protos/gen/sorcha/api/v1/admin.ts'
import { ConnectivityService } from '../../../protos/gen/sorcha/api/v1/connectivity.ts'
import { EventsService } from '../../../protos/gen/sorcha/api/v1/events.ts'
import { PeerCommunicationService } from '../../../protos/gen/sorcha/api/v1/peer_communication.ts'
import { PeerDiscoveryService } from '../../../protos/gen/sorcha/api/v1/peer_discovery.ts'
import { TransactionDistributionService } from '../../../protos/gen/sorcha/api/v1/transaction_distribution.ts'
import { InvalidArgumentError } from '../errors.ts'
import { BAD_REQUEST, type BadRequest } from './call-context.ts'

function bad (reason: string, message: string): BadRequest {
  return { [BAD_REQUEST]: new InvalidArgumentError(reason, message) }
}

/** A service definition whose request deserializers never throw. */
export function totalDefinition<T extends ServiceDefinition> (definition: T, maxMessageBytes: number): T {
  const out: Record<string, unknown> = {}
  for (const [name, method] of Object.entries(definition)) {
    const decode = method.requestDeserialize as (buffer: Buffer) => unknown
    out[name] = {
      ...method,
      requestDeserialize: (buffer: Buffer): unknown => {
        if (buffer.byteLength > maxMessageBytes) {
          return bad('message_too_large', `the request is ${buffer.byteLength} bytes; the most this server accepts is ${maxMessageBytes} (use UploadTransaction for large transactions)`)
        }
        try {
          return decode(buffer)
        } catch {
          // The decoder's own text (offsets, wire types) means nothing to an app: a fixed message.
          return bad('malformed', 'the request is not a valid protobuf message of this RPC')
        }
      }
    }
  }
  return out as T
}

/** The API services, ready for grpc-js. */
export function apiDefinitions (maxMessageBytes: number): { discovery: typeof PeerDiscoveryService, communication: typeof PeerCommunicationService, transactions: typeof TransactionDistributionService, connectivity: typeof ConnectivityService, events: typeof EventsService, admin: typeof AdminService } {
  return {
    discovery: totalDefinition(PeerDiscoveryService, maxMessageBytes),
    communication: totalDefinition(PeerCommunicationService, maxMessageBytes),
    transactions: totalDefinition(TransactionDistributionService, maxMessageBytes),
    connectivity: totalDefinition(ConnectivityService, maxMessageBytes),
    events: totalDefinition(EventsService, maxMessageBytes),
    admin: totalDefinition(AdminService, maxMessageBytes)
  }
}
