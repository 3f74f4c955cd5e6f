/**
 * Writes docs/api.md from the API's .proto files (services, RPCs, messages and their comments) and
 * from the OpenAPI document the REST server generates from its route schemas, with an example for
 * every RPC and route (run by `npm run generate`). `--check` exits 1 if the file is stale.
 */
import { readFile, writeFile } from 'node:fs/promises'
import protobuf from 'protobufjs'
import { DIRECT_NODE_MAX_MESSAGE_BYTES_CAP } from '../direct/constants.ts'
import { GRPC_CODE, HTTP_STATUS, type GrpcCodeName } from '../gateway/errors.ts'
import { VERSION } from '../gateway/index.ts'
import { MemoryBackend } from '../gateway/memory-backend.ts'
import { GatewayOperations } from '../gateway/operations.ts'
import { RateLimiter } from '../gateway/rate-limiter.ts'
import { apiRoot } from '../gateway/rest/proto-json.ts'
import { buildRestApp } from '../gateway/rest/server.ts'
import { ApiToken } from '../gateway/api-token.ts'

/** The services documented, in order. */
const API_SERVICE_NAMES = ['PeerDiscovery', 'PeerCommunication', 'TransactionDistribution', 'Connectivity', 'Events', 'Admin']
const TARGET = new URL('../../docs/api.md', import.meta.url)
/** The hand-written client-library guide, placed after the introduction (its example is run by test/integration/package.test.ts). */
const GUIDE = new URL('./api-guide.md', import.meta.url)
const PEER = '12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK'

const EXAMPLES: Record<string, unknown> = {
  peerId: PEER, fromPeerId: PEER, sender: PEER, registerId: 'register-1', registerIds: ['register-1'], txId: 'a591a6d40bf420404a011733cfb7b190d62c65bf0bcda32b57b277d9ad9f146e',
  expectedTxId: '', cursor: '', since: '', topic: 'app.chat', topics: ['app.chat'], contentType: 'application/json', clientRef: 'r1', limit: 20, chunkBytes: 0,
  messageId: '5f0c1f3a9b8e4d2c7a6b5e4d3c2b1a09', note: 'maintenance window', addresses: ['/ip4/192.0.2.7/tcp/4100/p2p/' + PEER], status: [], version: VERSION,
  types: ['peer_disconnected', 'peer_banned']
}

function example (type: protobuf.Type, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  const seenOneof = new Set<string>()
  for (const field of type.fieldsArray) {
    if (field.partOf !== null) {
      if (seenOneof.has(field.partOf.name)) continue
      seenOneof.add(field.partOf.name)
    }
    const resolved = field.resolvedType
    let value: unknown = EXAMPLES[field.name]
    // A name shared by fields of different types (events.proto's numeric cursor): the type decides.
    if (typeof value === 'string' && field.type !== 'string') value = undefined
    if (value === undefined) {
      if (resolved instanceof protobuf.Type) value = depth > 2 ? {} : example(resolved, depth + 1)
      else if (resolved instanceof protobuf.Enum) value = Object.keys(resolved.values)[Math.min(1, Object.keys(resolved.values).length - 1)]
      else if (field.type === 'bytes') value = 'eyJoZWxsbyI6IndvcmxkIn0='
      else if (field.type === 'bool') value = false
      else if (field.type === 'string') value = ''
      else value = 0
      if (field.repeated && !Array.isArray(value)) value = [value]
    }
    out[field.name] = value
  }
  return out
}

const kindOf = (m: protobuf.Method): string =>
  m.requestStream === true ? (m.responseStream === true ? 'bidirectional stream' : 'client stream') : (m.responseStream === true ? 'server stream' : 'unary')

function messageTable (type: protobuf.Type): string {
  const rows = type.fieldsArray.map(f => {
    const t = f.resolvedType?.name ?? f.type
    return `| \`${f.name}\` | ${f.repeated ? `repeated ${t}` : t}${f.partOf === null ? '' : ` (one of \`${f.partOf.name}\`)`} | ${(f.comment ?? '').replace(/\n/g, ' ')} |`
  })
  return rows.length === 0 ? '_no fields_' : `| Field | Type | Meaning |\n| --- | --- | --- |\n${rows.join('\n')}`
}

function grpcSection (root: protobuf.Root): string {
  const out: string[] = []
  const messages = new Map<string, protobuf.Type>()
  for (const name of API_SERVICE_NAMES) {
    const service = root.lookupService(`sorcha.api.v1.${name}`)
    out.push(`### ${service.fullName.slice(1)}\n\n${service.comment ?? ''}\n`)
    for (const method of service.methodsArray) {
      const req = root.lookupType(method.requestType.includes('.') ? method.requestType : `sorcha.api.v1.${method.requestType}`)
      const res = root.lookupType(method.responseType.includes('.') ? method.responseType : `sorcha.api.v1.${method.responseType}`)
      messages.set(req.fullName, req)
      messages.set(res.fullName, res)
      out.push(`#### ${method.name} (${kindOf(method)})\n\n${method.comment ?? ''}\n\n${method.requestStream === true ? 'stream of ' : ''}[\`${req.name}\`](#${req.name.toLowerCase()}) → ${method.responseStream === true ? 'stream of ' : ''}[\`${res.name}\`](#${res.name.toLowerCase()})\n\n\`\`\`sh\ngrpcurl -plaintext -d '${JSON.stringify(example(req))}' 127.0.0.1:4200 ${service.fullName.slice(1)}/${method.name}\n\`\`\`\n`)
    }
  }
  for (const type of [...messages.values()]) for (const f of type.fieldsArray) if (f.resolvedType instanceof protobuf.Type) messages.set(f.resolvedType.fullName, f.resolvedType)
  for (const type of [...messages.values()]) for (const f of type.fieldsArray) if (f.resolvedType instanceof protobuf.Type) messages.set(f.resolvedType.fullName, f.resolvedType)
  out.push('### Messages\n')
  for (const type of [...messages.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    out.push(`#### ${type.name}\n\n\`${type.fullName.slice(1)}\`${type.comment === null || type.comment === undefined ? '' : ` — ${type.comment}`}\n\n${messageTable(type)}\n`)
  }
  return out.join('\n')
}

type Operation = { operationId?: string, summary?: string, tags?: string[], parameters?: Array<{ name: string, in: string, required?: boolean, description?: string, schema?: { type?: string } }>, requestBody?: { content: Record<string, { schema?: { $ref?: string } }> } }

function restSection (doc: { paths: Record<string, Record<string, Operation>> }, root: protobuf.Root): string {
  const out: string[] = []
  const rpcs = new Set(API_SERVICE_NAMES.flatMap(s => root.lookupService(`sorcha.api.v1.${s}`).methodsArray.map(m => m.name)))
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const params = (op.parameters ?? []).map(p => `\`${p.name}\` (${p.in}${p.required === true ? ', required' : ''})${p.description === undefined ? '' : `: ${p.description}`}`)
      const filled = path.replace('{peerId}', PEER).replace('{registerId}', 'register-1').replace('{txId}', String(EXAMPLES.txId))
      const content = op.requestBody?.content ?? {}
      let curl = `curl -s${method === 'get' ? '' : ` -X ${method.toUpperCase()}`} http://127.0.0.1:4280${filled}`
      if (path.endsWith('/stream')) curl = `curl -N http://127.0.0.1:4280${filled}${path.includes('transactions') ? '?registerId=register-1' : path.includes('messages') ? '?topic=app.chat' : ''}`
      if (content['application/json'] !== undefined) {
        const body = path === '/v1/transactions' ? Object.fromEntries(Object.entries(example(root.lookupType('sorcha.api.v1.SubmitTransactionRequest'))).filter(([, v]) => v !== '' && v !== false))
          : path.endsWith('/batch') ? { transactions: [{ clientRef: 'r1', transaction: { registerId: 'register-1', payload: 'eyJoZWxsbyI6IndvcmxkIn0=' } }] }
            : path.endsWith('/suspend') ? { note: 'maintenance window' }
              : { topic: 'app.chat', payload: 'aGVsbG8=' }
        curl += ` \\\n  -H 'content-type: application/json' -d '${JSON.stringify(body)}'`
      }
      if (content['application/octet-stream'] !== undefined) curl = `curl -s -X POST 'http://127.0.0.1:4280${filled}?registerId=register-1&contentType=application/json' \\\n  -H 'content-type: application/octet-stream' --data-binary @tx.json`
      out.push(`#### ${method.toUpperCase()} ${path}\n\n${op.summary ?? ''}${op.operationId === undefined || !rpcs.has(op.operationId) ? '' : ` (gRPC: \`${op.operationId}\`)`}\n${params.length === 0 ? '' : `\nParameters: ${params.join('; ')}\n`}\n\`\`\`sh\n${curl}\n\`\`\`\n`)
    }
  }
  return out.join('\n')
}

async function render (): Promise<string> {
  const backend = new MemoryBackend({ peerId: PEER })
  const operations = new GatewayOperations({ backend, maxMessageBytes: 16 * 1024 * 1024, version: VERSION })
  const app = await buildRestApp({ operations, limiter: new RateLimiter({ perSecond: 0, burst: 1 }), host: '127.0.0.1', port: 0, maxMessageBytes: 16 * 1024 * 1024, maxStreams: 1, token: new ApiToken(''), version: VERSION }, new AbortController().signal, { open: 0 })
  await app.ready()
  const doc = app.swagger() as unknown as { paths: Record<string, Record<string, Operation>> }
  await app.close()
  const root = apiRoot()
  const codes = (Object.keys(GRPC_CODE) as GrpcCodeName[]).filter(c => ['INVALID_ARGUMENT', 'NOT_FOUND', 'ALREADY_EXISTS', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'OUT_OF_RANGE', 'UNAVAILABLE', 'DEADLINE_EXCEEDED', 'UNAUTHENTICATED', 'CANCELLED', 'INTERNAL', 'UNIMPLEMENTED'].includes(c))
  return `<!-- Generated by npm run generate (src/tools/api-docs.ts) from protos/sorcha/api/v1 and the REST server's OpenAPI document; do not edit by hand. -->
# App API reference (sorcha.api.v1)

Apps reach a node through its gateway: **gRPC** on \`gateway.grpc.host:port\` (default 127.0.0.1:4200)
and the same operations as **REST/JSON** on \`gateway.rest.host:port\` (default 127.0.0.1:4280), whose
OpenAPI 3.1 document is served at \`/openapi.json\`. The client library (\`sorcha-peer/client\`,
\`SorchaClient\`) speaks both and picks by itself: gRPC stream → gRPC unary → REST.

- **Transactions** are opaque bytes; a transaction's id is the lowercase hex SHA-256 of its bytes.
  Submitting is idempotent (a second submit answers \`duplicate: true\`), so clients may retry.
- **Subscriptions** carry a cursor on every event; pass the last one back (\`cursor\`, or the SSE
  \`Last-Event-ID\` header) to resume: the node replays every transaction it stored since then, each
  once, in the order stored, then goes on live. Cursors (\`<epoch>.<sequence>\`) live in the node's
  persisted journal, so they stay valid across restarts of the node; the journal keeps
  \`gossip.journal.maxEntries\` transactions for \`gossip.journal.retentionMs\` (defaults: 1,000,000, 7
  days). A cursor older than that is OUT_OF_RANGE \`cursor_expired\` (REST 410), one from another node
  or data directory OUT_OF_RANGE \`cursor_unknown\` (410); both carry the oldest cursor the node
  accepts (\`sorcha-oldest-cursor\` trailer, \`oldestCursor\` in the problem document). Apps that poll
  use \`ListTransactions\` (\`GET /v1/transactions?since=<cursor>\`) with the same cursors.
- **Security**: TLS on both servers when \`gateway.tls.cert/key\` are set; mutual TLS on both with
  \`gateway.tls.requireClientCert\`; a bearer token (\`authorization: Bearer <token>\` header or gRPC
  metadata) when \`gateway.token\` or \`gateway.tokenFile\` is set; certificates, key, CA bundle and token
  file reloaded on SIGHUP and when they change (\`gateway.reloadOnChange\`); on an address other
  machines reach, the node refuses to start without a token or mutual TLS unless
  \`gateway.allowInsecure\` is set; per-client-address rate limits on both (\`gateway.rateLimit\`).
  \`sorcha-peer certs ca|node|client\` makes development certificates.
- **Health**: gRPC \`grpc.health.v1.Health\` (per service and \`""\`) reports the node's readiness:
  SERVING when it is ready, NOT_SERVING otherwise (docs/deployment.md, "Health and readiness"); REST
  \`GET /healthz\`; gRPC server reflection (\`grpc.reflection.v1\`) is on and lists the API and the
  health service, so \`grpcurl\` needs no proto files.
- **Direct messages** (\`SendMessage\`, \`Session\`, \`POST /v1/peers/{peerId}/messages\`): a payload is at most
  \`NodeInfo.maxDirectMessageBytes\` bytes, which a node sets to \`gateway.maxMessageBytes\` capped at
  ${DIRECT_NODE_MAX_MESSAGE_BYTES_CAP / 1024 / 1024} MiB (${DIRECT_NODE_MAX_MESSAGE_BYTES_CAP} bytes; 0 = the node runs no direct messaging); larger ones are
  INVALID_ARGUMENT \`payload_too_large\`, and the recipient's own limit applies too
  (\`peer_rejected_too_large\`). Over REST the payload travels as base64, a third larger, and the whole
  JSON body must also fit in \`gateway.maxMessageBytes\`. A message is acknowledged (SendMessage
  succeeds) only once an app on the recipient node received it: a \`ReceiveMessages\`, \`Session\` or
  SSE stream for its topic took it (written to that stream), or an in-process \`direct:message\`
  listener; otherwise it fails with FAILED_PRECONDITION \`no_listener\` (REST 409) and was not delivered.
- **Connectivity and offline mode** (\`Connectivity\`, \`/v1/connectivity\`): the node is \`OFFLINE\` (no peer and
  nothing to dial), \`CONNECTING\`, \`ONLINE\`, \`DEGRADED\` (fewer peers than \`connections.min\`) or
  \`SUSPENDED\` by its operator, with the reason and time of the last change; \`NodeInfo.connectivity\` and
  \`sorcha-peer status\` show it too. \`Suspend\` (\`sorcha-peer offline\`) closes every peer connection, refuses
  new ones and pauses health checks and discovery until \`Resume\` (\`sorcha-peer online\`), across restarts.
  A suspended node is not ready (readiness and the gRPC health service say \`suspended by the operator\`),
  but its API keeps answering. The states and reasons: protocols/connectivity/SPEC.md.
- **Event log** (\`Events\`, \`/v1/events\`): what happened to the node's peers, network and transactions,
  persisted as a bounded ring: \`ListEvents\` with filters (types, peer, transaction, time) and cursor
  paging, \`FollowEvents\` (SSE \`/v1/events/stream\`) live; \`sorcha-peer events\`. Event types, fields
  and disconnect reasons: docs/events.md.
- **Admin** (\`Admin\`, \`/v1/admin/...\`, \`sorcha-peer admin\`): connected peers, dial, disconnect, ban and unban,
  log levels at run time, node info with NAT type and reachability, statistics (docs/admin.md). With
  \`gateway.token\` set the calls need it; on a listener beyond loopback without a token every admin call is
  PERMISSION_DENIED \`admin_needs_token\` (REST 403).
- **Network health score** (\`NetworkHealth.score\`, 0..100): see docs/peers-and-health.md —
  100 × (0.4·connectivity + 0.4·reachability + 0.2·latency), -1 in NodeInfo when the node runs no health monitor.

${await readFile(GUIDE, 'utf8')}
## Errors

Every failure carries a gRPC status code and a bounded machine-readable **reason** (snake_case): in
the \`sorcha-reason\` trailer on gRPC, and as an RFC 9457 \`application/problem+json\` body on REST
(\`{type, title, status, detail, code, reason}\`, \`code\` being the gRPC status name). A rate-limited
call also carries \`sorcha-retry-after-ms\` / \`Retry-After\`, and so does a submission refused because
the node's outbound queue is full (RESOURCE_EXHAUSTED, reason \`queue_full\`; see "Durability" in
docs/architecture.md). Malformed or oversized requests are
INVALID_ARGUMENT on both transports (reasons \`malformed\`, \`message_too_large\`, \`body_too_large\`,
\`payload_too_large\`, \`invalid_request\`...); gRPC messages more than 1 MiB above
\`gateway.maxMessageBytes\` are refused by grpc-js itself with RESOURCE_EXHAUSTED. Every REST error is
problem+json, whatever its status: besides the table below, 413 for a body over the limit
(\`body_too_large\`, answered before \`100 Continue\` when the client sends \`Expect: 100-continue\`),
415 for a content type the route does not take, 431 for request headers over Node's limit
(\`headers_too_large\`), 405 with \`Allow\` for a method the path does not take
(\`method_not_allowed\`), 404 for an unknown path (\`no_route\`), 400 for malformed HTTP (\`bad_http\`),
400 for a path parameter over 256 characters (\`path_too_long\`) or a bad percent-encoding (\`malformed\`),
410 for a resume cursor the node cannot serve (\`cursor_expired\`, \`cursor_unknown\`), 409 for a direct
message no app on the recipient node listens for (\`no_listener\`).

The client library throws the same named errors (\`InvalidArgumentError\`, \`NotFoundError\`...). When
no transport reaches a node it throws \`NoTransportError\`: its \`failures\` hold each transport's
\`TransportFailedError\` with a \`kind\` (\`refused\`, \`timeout\`, \`untrusted\`, \`hostname\`,
\`client_cert\`, \`not_tls\`, \`closed\`, \`no_api\`...), and its message tells them in one line per
cause, the cause first: \`connection refused at 127.0.0.1:4200 (gRPC) and :4280 (REST): is the node running?\`.

| gRPC code | Number | HTTP status |
| --- | --- | --- |
${codes.map(c => `| ${c} | ${GRPC_CODE[c]} | ${HTTP_STATUS[c]} |`).join('\n')}

## gRPC services

${grpcSection(root)}
## REST routes

Bytes are base64 strings in JSON (the standard or the URL-safe alphabet, padded or not; anything else,
a JSON number included, is 400 \`invalid_base64\`). Enum values are spelled as in the .proto files on
every transport and in the CLI's JSON output (\`PEER_STATUS_HEALTHY\`, \`PEER_ORDER_SCORE\`); REST query
strings and the CLI also accept the older short forms (\`healthy\`, \`lastSeen\`, \`last-seen\`, \`score\`).
A 400 names the field, and for an enum lists the allowed values; a field's reason is the one gRPC gives
(\`invalid_register_id\`, \`invalid_peer_id\`...). Every field of a response is present. A batch
(\`POST /v1/transactions/batch\`) answers 200 with one acknowledgement per item, in order, as
SubmitStream does: an item that is not valid, is rate-limited or fails carries its own \`error\`.

${restSection(doc, root)}`
}

const text = await render()
if (process.argv.includes('--check')) {
  const current = await readFile(TARGET, 'utf8').catch(() => '')
  if (current !== text) {
    process.stderr.write('docs/api.md is stale: run npm run generate\n')
    process.exit(1)
  }
} else {
  await writeFile(TARGET, text)
}
