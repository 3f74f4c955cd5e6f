/** A gateway over the in-memory backend on ephemeral loopback ports, for server and client tests. */
import { resolveConfig, type ConfigInput } from '../../src/config/index.ts'
import { Gateway } from '../../src/gateway/gateway.ts'
import { MemoryBackend } from '../../src/gateway/memory-backend.ts'

/** A peer id that is syntactically valid (never dialled). */
export const TEST_PEER_ID = '12D3KooWAbCdEfGhJkLmNoPqRsTuVwXyZ123456789123456789a'
/** Another valid peer id (decodes to an Ed25519 key), which the in-memory backend does not know. */
export const OTHER_PEER_ID = '12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK'

/** Starts a gateway on 127.0.0.1:0 (both servers) over a MemoryBackend. */
export async function startMemoryGateway (gateway: NonNullable<ConfigInput['gateway']> = {}, backend = new MemoryBackend({ peerId: TEST_PEER_ID })): Promise<{ gateway: Gateway, backend: MemoryBackend }> {
  const config = resolveConfig({ file: { path: 'test', data: { gateway: { ...gateway, grpc: { port: 0, ...gateway.grpc }, rest: { port: 0, ...gateway.rest } } } } })
  const gw = new Gateway({ backend, config: config.gateway })
  await gw.start()
  return { gateway: gw, backend }
}
