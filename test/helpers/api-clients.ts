/**
 * gRPC clients built from the .proto files at run time with @grpc/proto-loader, NOT from the
 * generated code: what an app in another language would do with our protos.
 */
import * as grpc from '@grpc/grpc-js'
import { loadSync } from '@grpc/proto-loader'

const PROTOS = ['sorcha/api/v1/peer_discovery.proto', 'sorcha/api/v1/peer_communication.proto', 'sorcha/api/v1/transaction_distribution.proto', 'sorcha/api/v1/connectivity.proto']

/** A dynamically built client; methods take plain objects and callbacks. */
export type DynamicClient = grpc.Client & { [method: string]: any } // eslint-disable-line @typescript-eslint/no-explicit-any

/** The API services' clients for `address`. */
export function runtimeClients (address: string, credentials: grpc.ChannelCredentials = grpc.credentials.createInsecure(), options: grpc.ClientOptions = {}): { discovery: DynamicClient, communication: DynamicClient, transactions: DynamicClient, connectivity: DynamicClient, close: () => void } {
  const definition = loadSync(PROTOS, { includeDirs: [new URL('../../protos', import.meta.url).pathname], keepCase: false, longs: Number, enums: String, defaults: true, oneofs: true })
  const api = (grpc.loadPackageDefinition(definition) as unknown as { sorcha: { api: { v1: Record<string, grpc.ServiceClientConstructor> } } }).sorcha.api.v1
  const make = (name: string): DynamicClient => new (api[name] as grpc.ServiceClientConstructor)(address, credentials, options) as unknown as DynamicClient
  const clients = { discovery: make('PeerDiscovery'), communication: make('PeerCommunication'), transactions: make('TransactionDistribution'), connectivity: make('Connectivity') }
  return { ...clients, close: () => { for (const c of Object.values(clients)) c.close() } }
}

/** Calls a unary method; resolves [error, response]. */
export async function unary<T = Record<string, unknown>> (client: DynamicClient, method: string, request: unknown, options: { metadata?: grpc.Metadata, deadlineMs?: number } = {}): Promise<[grpc.ServiceError | null, T | undefined]> {
  return await new Promise(resolve => {
    const callOptions = options.deadlineMs === undefined ? {} : { deadline: Date.now() + options.deadlineMs }
    ;(client[method] as (...a: unknown[]) => void)(request, options.metadata ?? new grpc.Metadata(), callOptions, (err: grpc.ServiceError | null, res: T) => { resolve([err, res]) })
  })
}

/** The sorcha-reason trailer of an error. */
export function reasonOf (err: grpc.ServiceError | null): string | undefined {
  const value = err?.metadata?.get('sorcha-reason')[0]
  return typeof value === 'string' ? value : undefined
}

/** Reads Server-Sent Events from a fetch response body until `until` returns true or the stream ends. */
export async function readSse (body: ReadableStream<Uint8Array>, until: (events: Array<{ event: string, id?: string, data: string }>) => boolean): Promise<Array<{ event: string, id?: string, data: string }>> {
  const events: Array<{ event: string, id?: string, data: string }> = []
  const decoder = new TextDecoder()
  let buffer = ''
  const reader = body.getReader()
  try {
    while (!until(events)) {
      const { value, done } = await reader.read()
      if (done) break
      buffer += decoder.decode(value, { stream: true })
      let end = buffer.indexOf('\n\n')
      while (end >= 0) {
        const block = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        const fields = Object.fromEntries(block.split('\n').filter(l => !l.startsWith(':') && l.includes(':')).map(l => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]))
        if (fields.data !== undefined) events.push({ event: fields.event ?? 'message', data: fields.data, ...(fields.id === undefined ? {} : { id: fields.id }) })
        end = buffer.indexOf('\n\n')
      }
    }
  } finally {
    await reader.cancel().catch(() => {})
  }
  return events
}

/**
 * Polls `check` until it returns true. No wall-clock threshold on the behaviour: `giveUpMs` only sits
 * just under the suite's 300-s test timeout, so that a hook or test that times out stops polling too.
 * (Unbounded, the loop outlived its timed-out hook and kept the file's process alive for good: a
 * stopped network never meets the condition.) `state` describes what was seen, for the error.
 */
export async function until (check: () => boolean | Promise<boolean>, intervalMs = 25, giveUpMs = 290_000, state?: () => string | Promise<string>): Promise<void> {
  const deadline = Date.now() + giveUpMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${giveUpMs / 1000} s${state === undefined ? '' : `: ${await state()}`}`)
    await new Promise(resolve => setTimeout(resolve, intervalMs))
  }
}
