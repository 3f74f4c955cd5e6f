/**
 * Real clients of a node's probes: fetch for the operations listener (/livez, /readyz), and grpc-js
 * with grpc-health-check's proto for grpc.health.v1 and server reflection.
 */
import { createRequire } from 'node:module'
import * as grpc from '@grpc/grpc-js'
import { loadSync } from '@grpc/proto-loader'
import { protoPath as HEALTH_PROTO } from 'grpc-health-check'
import { unary, type DynamicClient } from './api-clients.ts'

/** An HTTP answer: status code and parsed JSON body. */
export interface ProbeAnswer {
  status: number
  body: { status: string, checks?: Record<string, { ok: boolean, detail: string }> }
}

/** GET `${baseUrl}${path}` and parse the JSON. */
export async function probe (baseUrl: string, path: '/livez' | '/readyz'): Promise<ProbeAnswer> {
  const res = await fetch(`${baseUrl}${path}`)
  return { status: res.status, body: await res.json() as ProbeAnswer['body'] }
}

/** A grpc.health.v1.Health client. */
export function healthClient (address: string): DynamicClient {
  const pkg = grpc.loadPackageDefinition(loadSync(HEALTH_PROTO, { enums: String })) as unknown as { grpc: { health: { v1: { Health: grpc.ServiceClientConstructor } } } }
  return new pkg.grpc.health.v1.Health(address, grpc.credentials.createInsecure()) as unknown as DynamicClient
}

/** Health.Check of `service` ('' = the whole server): SERVING, NOT_SERVING... or the error. */
export async function healthStatus (client: DynamicClient, service: string): Promise<string> {
  const [err, res] = await unary<{ status: string }>(client, 'check', { service })
  if (err !== null) throw err
  return res?.status ?? ''
}

/** Opens Health.Watch on `service`; `until(status)` resolves once `status` is the latest the stream reported. */
export function healthWatch (client: DynamicClient, service: string): { seen: string[], until: (status: string) => Promise<void>, cancel: () => void } {
  const call = (client.watch as (req: unknown) => grpc.ClientReadableStream<{ status: string }>)({ service })
  const seen: string[] = []
  const waiters: Array<{ status: string, resolve: () => void }> = []
  call.on('data', (msg: { status: string }) => {
    seen.push(msg.status)
    for (const w of waiters.filter(w => w.status === msg.status)) { waiters.splice(waiters.indexOf(w), 1); w.resolve() }
  })
  call.on('error', () => {}) // CANCELLED when the test cancels
  return {
    seen,
    until: async status => { if (seen.at(-1) !== status) await new Promise<void>(resolve => { waiters.push({ status, resolve }) }) },
    cancel: () => { call.cancel() }
  }
}

/** The service names server reflection lists at `address`. */
export async function reflectedServices (address: string): Promise<string[]> {
  const reflectionProto = createRequire(import.meta.url).resolve('@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto')
  const pkg = grpc.loadPackageDefinition(loadSync(reflectionProto)) as unknown as { grpc: { reflection: { v1: { ServerReflection: grpc.ServiceClientConstructor } } } }
  const client = new pkg.grpc.reflection.v1.ServerReflection(address, grpc.credentials.createInsecure()) as unknown as DynamicClient
  try {
    const call = (client.serverReflectionInfo as () => grpc.ClientDuplexStream<unknown, { listServicesResponse: { service: Array<{ name: string }> } }>)()
    const answer = await new Promise<{ listServicesResponse: { service: Array<{ name: string }> } }>((resolve, reject) => {
      call.on('data', resolve)
      call.on('error', reject)
      call.write({ listServices: '' })
    })
    call.end()
    return answer.listServicesResponse.service.map(s => s.name)
  } finally {
    client.close()
  }
}
