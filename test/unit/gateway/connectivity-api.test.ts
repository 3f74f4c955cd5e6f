/**
 * The Connectivity API over the in-memory backend (no peers: offline until suspended): a gRPC client
 * built from the .proto files at run time, REST with fetch, the SSE stream, and bad notes.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { ConnectivityState, SorchaClient, type ConnectivityUpdate, type TransportKind } from '../../../src/client/index.ts'
import type { Gateway } from '../../../src/gateway/gateway.ts'
import { NOTE_MAX_CHARS } from '../../../protocols/connectivity/index.ts'
import { reasonOf, readSse, runtimeClients, unary } from '../../helpers/api-clients.ts'
import { startMemoryGateway } from '../../helpers/memory-gateway.ts'

interface Report { status: { state: string, reason: string, sinceMs: number, note: string, connectedPeers: number, minConnections: number }, recent: Array<{ from: string, to: string, reason: string, atMs: number, note: string }> }

describe('Connectivity API (in-memory backend)', () => {
  let gateway: Gateway
  before(async () => { ({ gateway } = await startMemoryGateway()) })
  after(async () => { await gateway?.stop() })

  const rest = async (method: string, path: string, body?: unknown): Promise<{ status: number, json: Record<string, unknown> }> => {
    const response = await fetch(`${gateway.restUrl}${path}`, { method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) })
    return { status: response.status, json: await response.json() as Record<string, unknown> }
  }

  it('gRPC: offline with no peers; Suspend with a note, a second Suspend changes nothing, Resume; NodeInfo carries the state', async () => {
    const api = runtimeClients(gateway.grpcAddress)
    try {
      const [err, first] = await unary<Report>(api.connectivity, 'getConnectivity', {})
      assert.equal(err, null)
      assert.equal(first?.status.state, 'CONNECTIVITY_STATE_OFFLINE')
      assert.equal(first?.status.reason, 'node_started')
      const [, suspended] = await unary<Report>(api.connectivity, 'suspend', { note: 'maintenance window' })
      assert.deepEqual([suspended?.status.state, suspended?.status.reason, suspended?.status.note], ['CONNECTIVITY_STATE_SUSPENDED', 'operator_suspend', 'maintenance window'])
      assert.deepEqual(suspended?.recent.map(c => [c.from, c.to, c.reason, c.note]), [['CONNECTIVITY_STATE_OFFLINE', 'CONNECTIVITY_STATE_SUSPENDED', 'operator_suspend', 'maintenance window']])
      const [, again] = await unary<Report>(api.connectivity, 'suspend', { note: 'other' })
      assert.equal(again?.status.note, 'maintenance window')
      const [, info] = await unary<{ connectivity: Report['status'] }>(api.discovery, 'getNodeInfo', {})
      assert.equal(info?.connectivity.state, 'CONNECTIVITY_STATE_SUSPENDED')
      assert.equal(info?.connectivity.sinceMs, suspended?.status.sinceMs)
      const [, resumed] = await unary<Report>(api.connectivity, 'resume', {})
      assert.deepEqual([resumed?.status.state, resumed?.status.reason, resumed?.status.note], ['CONNECTIVITY_STATE_OFFLINE', 'operator_resume', ''])
    } finally {
      api.close()
    }
  })

  it('gRPC and REST refuse a note over 200 characters or with control characters (INVALID_ARGUMENT invalid_note)', async () => {
    const api = runtimeClients(gateway.grpcAddress)
    try {
      const [err] = await unary(api.connectivity, 'suspend', { note: 'x'.repeat(NOTE_MAX_CHARS + 1) })
      assert.equal(err?.code, 3)
      assert.equal(reasonOf(err), 'invalid_note')
      assert.equal(err?.details, `note is ${NOTE_MAX_CHARS + 1} characters; at most ${NOTE_MAX_CHARS} are allowed`)
      const [errCtl] = await unary(api.connectivity, 'suspend', { note: 'two\nlines' })
      assert.equal(reasonOf(errCtl), 'invalid_note')
    } finally {
      api.close()
    }
    const long = await rest('POST', '/v1/connectivity/suspend', { note: 'x'.repeat(NOTE_MAX_CHARS + 1) })
    assert.equal(long.status, 400)
    assert.deepEqual([long.json.code, long.json.reason, long.json.detail], ['INVALID_ARGUMENT', 'invalid_note', `note is ${NOTE_MAX_CHARS + 1} characters; at most ${NOTE_MAX_CHARS} are allowed`])
    const ctl = await rest('POST', '/v1/connectivity/suspend', { note: 'tab\there' })
    assert.deepEqual([ctl.status, ctl.json.reason, ctl.json.detail], [400, 'invalid_note', 'note must not contain control characters (line breaks, tabs...)'])
    const typed = await rest('POST', '/v1/connectivity/suspend', { note: 42 })
    assert.deepEqual([typed.status, typed.json.reason], [400, 'invalid_note'])
    const extra = await rest('POST', '/v1/connectivity/suspend', { reason: 'x' })
    assert.equal(extra.status, 400)
    const after = await rest('GET', '/v1/connectivity')
    assert.equal((after.json.status as Report['status']).state, 'CONNECTIVITY_STATE_OFFLINE', 'nothing was suspended')
  })

  it('REST: GET, POST suspend with and without a body, resume, and the SSE stream of changes', async () => {
    const events = fetch(`${gateway.restUrl}/v1/connectivity/stream`).then(async r => readSse(r.body!, e => e.length >= 3))
    await new Promise(resolve => setTimeout(resolve, 100))
    const got = await rest('GET', '/v1/connectivity')
    assert.equal(got.status, 200)
    assert.equal((got.json.status as Report['status']).state, 'CONNECTIVITY_STATE_OFFLINE')
    const bare = await fetch(`${gateway.restUrl}/v1/connectivity/suspend`, { method: 'POST' })
    assert.equal(bare.status, 200, 'no body at all is a suspend without a note')
    const report = await bare.json() as Report
    assert.deepEqual([report.status.state, report.status.note], ['CONNECTIVITY_STATE_SUSPENDED', ''])
    const resumed = await rest('POST', '/v1/connectivity/resume')
    assert.equal((resumed.json.status as Report['status']).reason, 'operator_resume')
    const seen = await events
    assert.deepEqual(seen.map(e => e.event), ['status', 'change', 'change'])
    assert.equal((JSON.parse(seen[0]!.data) as Report['status']).state, 'CONNECTIVITY_STATE_OFFLINE')
    assert.deepEqual(seen.slice(1).map(e => { const c = JSON.parse(e.data) as Report['recent'][number]; return [c.from, c.to, c.reason] }), [
      ['CONNECTIVITY_STATE_OFFLINE', 'CONNECTIVITY_STATE_SUSPENDED', 'operator_suspend'],
      ['CONNECTIVITY_STATE_SUSPENDED', 'CONNECTIVITY_STATE_OFFLINE', 'operator_resume']
    ])
    const withBody = await rest('POST', '/v1/connectivity/suspend', { note: 'from REST' })
    assert.equal((withBody.json.status as Report['status']).note, 'from REST')
    await rest('POST', '/v1/connectivity/resume')
  })

  it('the client library reads, suspends, resumes and watches over each transport', async () => {
    for (const transport of ['grpc-stream', 'grpc-unary', 'rest'] as TransportKind[]) {
      const client = new SorchaClient({ endpoints: { grpc: gateway.grpcAddress, rest: gateway.restUrl }, transports: [transport] })
      const controller = new AbortController()
      try {
        const updates: ConnectivityUpdate[] = []
        const watching = (async () => { for await (const u of client.watchConnectivity({ signal: controller.signal })) { updates.push(u); if (updates.length === 3) return } })()
        assert.equal((await client.connectivity()).status?.state, ConnectivityState.CONNECTIVITY_STATE_OFFLINE, transport)
        while (updates.length === 0) await new Promise(resolve => setTimeout(resolve, 10))
        const suspended = await client.suspend(`via ${transport}`)
        assert.deepEqual([suspended.status?.state, suspended.status?.note], [ConnectivityState.CONNECTIVITY_STATE_SUSPENDED, `via ${transport}`], transport)
        const resumed = await client.resume()
        assert.equal(resumed.status?.reason, 'operator_resume', transport)
        await watching
        assert.equal(client.protocol(), transport)
        assert.deepEqual(updates.map(u => u.status?.state ?? `${u.change?.from}>${u.change?.to}`), [
          ConnectivityState.CONNECTIVITY_STATE_OFFLINE,
          `${ConnectivityState.CONNECTIVITY_STATE_OFFLINE}>${ConnectivityState.CONNECTIVITY_STATE_SUSPENDED}`,
          `${ConnectivityState.CONNECTIVITY_STATE_SUSPENDED}>${ConnectivityState.CONNECTIVITY_STATE_OFFLINE}`
        ], transport)
        assert.equal(updates[1]?.change?.note, `via ${transport}`)
        assert.equal((await client.nodeInfo()).connectivity?.state, ConnectivityState.CONNECTIVITY_STATE_OFFLINE)
      } finally {
        controller.abort()
        client.close()
      }
    }
  })

  it('the OpenAPI document lists the four routes under the Connectivity tag', async () => {
    const doc = await (await fetch(`${gateway.restUrl}/openapi.json`)).json() as { paths: Record<string, Record<string, { operationId: string, tags: string[] }>> }
    const ops = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).filter(([, op]) => op.tags?.includes('Connectivity')).map(([m, op]) => `${m.toUpperCase()} ${path} ${op.operationId}`))
    assert.deepEqual(ops.sort(), ['GET /v1/connectivity GetConnectivity', 'GET /v1/connectivity/stream WatchConnectivity', 'POST /v1/connectivity/resume Resume', 'POST /v1/connectivity/suspend Suspend'])
  })
})
