/**
 * Fuzz targets of the API's request mappers, end to end over a gateway on a MemoryBackend: REST
 * requests through the real Fastify app (fastify.inject: routing, Ajv validation, base64, the
 * mapping to GatewayOperations and back to problem+json), and unary gRPC calls with raw bytes from a
 * real grpc-js client on 127.0.0.1 (the total deserializers, validate.ts, the status mapping). Bad
 * input must be answered with a 4xx (or a typed 503) / a gRPC status other than INTERNAL and
 * UNKNOWN, never a 500, and in time.
 */
import * as grpc from '@grpc/grpc-js'
import { BinaryWriter } from '@bufbuild/protobuf/wire'
import fc from 'fast-check'
import type { FastifyInstance } from 'fastify'
import { PeerNode, PeerStatus } from '../../../protocols/models/index.ts'
import type { Gateway } from '../../../src/gateway/gateway.ts'
import { apiDefinitions } from '../../../src/gateway/grpc/definitions.ts'
import { MemoryBackend } from '../../../src/gateway/memory-backend.ts'
import { registeredRoutes } from '../../../src/gateway/rest/server.ts'
import { startMemoryGateway } from '../../helpers/memory-gateway.ts'
import { anyBytes, mutated } from '../mutate.ts'
import { expect, type FuzzTarget } from '../target.ts'
import { PEER_IDS } from './models.ts'

/** Strings that pass or nearly pass the API's checks (ids, enums, cursors, base64, limits). */
const INTERESTING = [
  ...PEER_IDS, '', 'reg-1', 'a'.repeat(129), 'ab'.repeat(32), 'AB'.repeat(32), 'ab'.repeat(31), '/ip4/127.0.0.1/tcp/4001', 'PEER_STATUS_HEALTHY', 'healthy',
  'PEER_ORDER_SCORE', 'aGVsbG8=', 'aGVsbG8', '====', 'not base64!', 'application/json', 'text/plain; charset=utf-8', '0', '-1', '1e3', '18446744073709551616',
  'true', 'x'.repeat(300), '\u0000\n', '%', '../..', '12D3KooW', '0123456789abcdef.0', '0123456789abcdef.999999999999999', '0123456789abcdef.1234567890123456', 'j:0:0', 'debug', 'sorcha:gossip', 'LOG_LEVEL_DEBUG'
]
const textArb = fc.oneof({ arbitrary: fc.constantFrom(...INTERESTING), weight: 3 }, { arbitrary: fc.string({ maxLength: 40 }), weight: 1 })

let gateway: Gateway | undefined
let app: FastifyInstance | undefined
let client: grpc.Client | undefined
let routes: Array<{ method: string, url: string }> = []

async function start (): Promise<void> {
  if (gateway !== undefined) return
  const backend = new MemoryBackend({ peerId: PEER_IDS[0] as string, peers: [PeerNode.fromPartial({ peerId: PEER_IDS[1], status: PeerStatus.PEER_STATUS_HEALTHY, score: 50, lastSeenMs: 1 })] })
  ;({ gateway } = await startMemoryGateway({ rateLimit: { perSecond: 0 } }, backend))
  app = gateway.rest!.fastify!
  // Streams (SSE) answer with an endless body: their request mapping is the same code as the pages'.
  // SSE streams (…/stream, the dashboard's /feed) answer until closed.
  routes = registeredRoutes(app).filter(r => r.method !== 'HEAD' && !r.url.endsWith('/stream') && !r.url.endsWith('/feed'))
  client = new grpc.Client(gateway.grpcAddress, grpc.credentials.createInsecure())
}

async function stop (): Promise<void> {
  client?.close()
  await gateway?.stop()
  gateway = undefined
  client = undefined
}

// A JSON value shaped like the API's bodies: objects with the API's field names and interesting values.
const FIELDS = ['registerId', 'payload', 'contentType', 'expectedTxId', 'topic', 'transactions', 'transaction', 'reason', 'durationMs', 'note', 'level', 'subsystem', 'multiaddr', 'limit', 'peerId', 'items']
const jsonArb: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>(tie => ({
  value: fc.oneof({ depthSize: 'small' },
    textArb, fc.integer(), fc.double(), fc.boolean(), fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...FIELDS), fc.string({ maxLength: 8 })), tie('value'), { maxKeys: 5 }))
})).value

/** Submissions that get past the schema (base64 payloads, API field names), so validate.ts sees them. */
const submissionArb = fc.record({
  registerId: textArb,
  payload: fc.oneof(fc.uint8Array({ maxLength: 40 }).map(b => Buffer.from(b).toString('base64')), textArb),
  contentType: textArb,
  expectedTxId: textArb
}, { requiredKeys: ['registerId', 'payload'] }).chain(item => fc.oneof(fc.constant<unknown>(item), fc.constant<unknown>({ transactions: [item, item] })))

export const restRequests: FuzzTarget = {
  name: 'rest-requests',
  description: 'every REST route (streams excepted) with arbitrary path parameters, query strings and JSON or raw bodies, through the real Fastify app: never a 500 or an INTERNAL problem; errors are problem+json',
  files: ['src/gateway/rest/validation.ts', 'src/gateway/rest/routes.ts', 'src/gateway/rest/admin-routes.ts', 'src/gateway/rest/problem.ts', 'src/gateway/validate.ts', 'src/gateway/operations.ts'],
  wire: false,
  testRuns: 200,
  setup: start,
  teardown: stop,
  property: () => fc.asyncProperty(
    fc.nat(), fc.array(textArb, { maxLength: 3 }), fc.boolean(),
    fc.dictionary(fc.constantFrom('limit', 'status', 'orderBy', 'cursor', 'since', 'sinceMs', 'untilMs', 'type', 'peerId', 'txId', 'newestFirst', 'registerId', 'topic', 'x'), textArb, { maxKeys: 4 }),
    fc.oneof(jsonArb.map(v => ({ json: v })), submissionArb.map(v => ({ json: v })), fc.string({ maxLength: 60 }).map(raw => ({ raw }))),
    async (pick, params, raw, query, body) => {
      const route = routes[pick % routes.length]!
      let i = 0
      // Printable parameters go unencoded half the time: a lone % is a bad percent-encoding.
      const param = (p: string): string => raw && /^[!-~]+$/.test(p) && !/[?#/]/.test(p) ? p : encodeURIComponent(p)
      const url = route.url.replace(/:[A-Za-z]+/g, () => param(params[i++] ?? 'x'))
      const response = await app!.inject({
        method: route.method as 'GET',
        url,
        query,
        ...(route.method === 'GET' ? {} : 'json' in body ? { payload: JSON.stringify(body.json) ?? 'null', headers: { 'content-type': 'application/json' } } : { payload: body.raw, headers: { 'content-type': 'application/json' } })
      })
      // 503 is a typed answer of the in-memory backend (admin calls: libp2p_unavailable); 500 is an unplanned failure.
      const what = `${route.method} ${url}?${new URLSearchParams(query).toString()} answered ${response.statusCode}: ${response.body.slice(0, 300)}`
      expect(response.statusCode !== 500 && response.statusCode < 600, what)
      // The dashboard's pages and assets (src/dashboard) answer people, in HTML or plain text; the API answers problem+json.
      if (response.statusCode >= 400 && !route.url.startsWith('/dashboard')) {
        expect(/^application\/problem\+json/.test(String(response.headers['content-type'])), `${response.statusCode} without problem+json`)
        expect((JSON.parse(response.body) as { code?: string }).code !== 'INTERNAL', what)
      }
    })
}

/** A protobuf-shaped message: fields 1..10 with varints, interesting strings, bytes and nested messages. */
const protoArb: fc.Arbitrary<Uint8Array> = fc.letrec<{ message: Uint8Array }>(tie => ({
  message: fc.array(fc.record({
    field: fc.integer({ min: 1, max: 10 }),
    value: fc.oneof({ depthSize: 'small' },
      fc.oneof(fc.nat(), fc.constantFrom(0, 1, 2 ** 31, 2 ** 53, -1)).map(n => ({ varint: n })),
      textArb.map(s => ({ text: s })),
      fc.uint8Array({ maxLength: 40 }).map(b => ({ bytes: b })),
      tie('message').map(m => ({ bytes: m })))
  }), { maxLength: 6 }).map(fields => {
    const w = new BinaryWriter()
    for (const { field, value } of fields) {
      if ('varint' in value) w.tag(field, 0).int64(value.varint)
      else if ('text' in value) w.tag(field, 2).string(value.text)
      else w.tag(field, 2).bytes(value.bytes)
    }
    return w.finish()
  })
})).message

const UNARY = Object.values(apiDefinitions(4 * 1024 * 1024)).flatMap(service => Object.values(service))
  .filter(m => !m.requestStream && !m.responseStream)

export const grpcRequests: FuzzTarget = {
  name: 'grpc-requests',
  description: 'every unary gRPC method with arbitrary, protobuf-shaped and mutated request bytes from a real client: a response or a status other than INTERNAL, UNKNOWN or DEADLINE_EXCEEDED; the total deserializers never throw',
  files: ['src/gateway/grpc/definitions.ts', 'src/gateway/grpc/wrap.ts', 'src/gateway/grpc/call-context.ts', 'src/gateway/validate.ts', 'src/gateway/operations.ts'],
  wire: false,
  testRuns: 150,
  setup: start,
  teardown: stop,
  property: () => fc.asyncProperty(fc.nat(), fc.oneof(protoArb, mutated(protoArb), anyBytes(200)), async (pick, bytes) => {
    const method = UNARY[pick % UNARY.length]!
    const decoded = method.requestDeserialize(Buffer.from(bytes))
    expect(decoded !== null && typeof decoded === 'object', 'a deserializer returned a non-object')
    const status = await new Promise<grpc.ServiceError | null>(resolve => {
      client!.makeUnaryRequest(method.path, (b: Buffer) => b, (b: Buffer) => b, Buffer.from(bytes), new grpc.Metadata(), { deadline: Date.now() + 10_000 }, err => { resolve(err) })
    })
    const bad = [grpc.status.INTERNAL, grpc.status.UNKNOWN, grpc.status.DEADLINE_EXCEEDED]
    expect(status === null || !bad.includes(status.code), `${method.path} answered ${status?.code} ${status?.details}`)
  })
}

export const GATEWAY_TARGETS = [restRequests, grpcRequests]
