/**
 * Connectivity through the API on real nodes: the CLI (`status`, `offline`, `online`) as a real
 * process, a gRPC client built from the .proto files at run time (WatchConnectivity), REST, and a
 * `sorcha-peer start` process taken offline and restarted.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { gatewayContribution, type GatewayService } from '../../src/gateway/index.ts'
import { startNetwork, type TestNetwork } from '../../src/harness/index.ts'
import { peerHealthContribution } from '../../src/health/index.ts'
import type { SorchaNode } from '../../src/node/sorcha-node.ts'
import type { ConnectivityService } from '../../src/queue/connectivity-service.ts'
import { runtimeClients } from '../helpers/api-clients.ts'
import { cli, NODE } from '../helpers/cli.ts'
import { untilRunning } from '../helpers/node-process.ts'

const connectivityOf = (node: SorchaNode): ConnectivityService => (node.libp2p.services as unknown as { connectivity: ConnectivityService }).connectivity
const gatewayOf = (node: SorchaNode): { grpcAddress: string, restUrl: string } => (node.libp2p.services as unknown as { gateway: GatewayService }).gateway.current!
const apiFlags = (node: SorchaNode): string[] => ['--grpc', gatewayOf(node).grpcAddress, '--rest', gatewayOf(node).restUrl]

async function eventually (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

const ISO = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z'
const GATEWAY = { enabled: true, grpc: { port: 0 }, rest: { port: 0 }, rateLimit: { perSecond: 0 } }
const FAST = { connections: { min: 1 }, discovery: { bootstrapBackoffInitialMs: 50, bootstrapBackoffMaxMs: 200 } }

describe('connectivity through the API and the CLI, on real nodes', () => {
  let net: TestNetwork
  let boot: SorchaNode
  let node: SorchaNode
  before(async () => {
    net = await startNetwork({ nodes: 2, config: FAST, configFor: i => i === 1 ? { gateway: GATEWAY } : {} })
    ;[boot, node] = net.nodes as [SorchaNode, SorchaNode]
    await eventually('the node is online', () => connectivityOf(node).state === 'online')
  })
  after(async () => { await net?.stop() })

  it('status shows the state, its reason and since when, as text and as JSON', async () => {
    const text = await cli(['status', ...apiFlags(node)])
    assert.equal(text.code, 0, text.stderr)
    assert.match(text.stdout, new RegExp(`^connectivity online since ${ISO} \\(peer_connected\\), 1 peer connected \\(connections\\.min 1\\)$`, 'm'))
    const json = await cli(['status', '--transport', 'rest', '--json', ...apiFlags(node)])
    assert.equal(json.code, 0, json.stderr)
    const status = JSON.parse(json.stdout) as { connectivity: { state: string, reason: string, sinceMs: number, connectedPeers: number } }
    assert.deepEqual([status.connectivity.state, status.connectivity.reason, status.connectivity.connectedPeers], ['CONNECTIVITY_STATE_ONLINE', 'peer_connected', 1])
    assert.equal(status.connectivity.sinceMs, connectivityOf(node).sinceMs)
  })

  it('offline suspends the node (connections closed, a peer\'s dial refused), status and WatchConnectivity show it, online brings it back', async () => {
    const api = runtimeClients(gatewayOf(node).grpcAddress)
    const updates: Array<{ status?: { state: string }, change?: { from: string, to: string, reason: string, note: string } }> = []
    const watch = api.connectivity.watchConnectivity({})
    watch.on('data', (u: typeof updates[number]) => { updates.push(u) })
    watch.on('error', () => {})
    try {
      await eventually('the watch has its first message', () => updates.length >= 1)
      assert.equal(updates[0]?.status?.state, 'CONNECTIVITY_STATE_ONLINE')

      const offline = await cli(['offline', '--reason', 'maintenance window', ...apiFlags(node)])
      assert.equal(offline.code, 0, offline.stderr)
      assert.match(offline.stdout, new RegExp(`^suspended since ${ISO} \\(operator_suspend\\): maintenance window\\n$`))
      assert.equal(node.libp2p.getConnections().length, 0, 'offline answers once the connections are closed')
      await assert.rejects(boot.libp2p.dial(node.peerId))

      const status = await cli(['status', '--transport', 'rest', ...apiFlags(node)])
      assert.match(status.stdout, /^connectivity suspended since .* \(operator_suspend\): maintenance window$/m)
      const rest = await (await fetch(`${gatewayOf(node).restUrl}/v1/connectivity`)).json() as { status: { state: string, note: string } }
      assert.deepEqual([rest.status.state, rest.status.note], ['CONNECTIVITY_STATE_SUSPENDED', 'maintenance window'])
      const ping = await fetch(`${gatewayOf(node).restUrl}/v1/peers/${boot.peerId.toString()}/ping`, { method: 'POST' })
      assert.equal(ping.status, 503)
      assert.deepEqual(Object.entries(await ping.json() as Record<string, unknown>).filter(([k]) => k === 'reason' || k === 'detail'),
        [['detail', 'this node is offline (suspended by its operator): sorcha-peer online resumes it'], ['reason', 'node_suspended']])

      const online = await cli(['online', '--json', ...apiFlags(node)])
      assert.equal(online.code, 0, online.stderr)
      const resumed = JSON.parse(online.stdout) as { status: { state: string }, recent: Array<{ to: string, reason: string }> }
      assert.notEqual(resumed.status.state, 'CONNECTIVITY_STATE_SUSPENDED')
      assert.ok(resumed.recent.some(c => c.reason === 'operator_resume'), 'the resume is in the recent transitions')
      await eventually('the node is online again', () => connectivityOf(node).state === 'online')
      await eventually('the watch saw it', () => updates.some(u => u.change?.to === 'CONNECTIVITY_STATE_ONLINE'))
      const changes = updates.slice(1).map(u => `${u.change?.from}>${u.change?.to}:${u.change?.reason}`)
      assert.deepEqual(changes.slice(0, 2), [
        'CONNECTIVITY_STATE_ONLINE>CONNECTIVITY_STATE_SUSPENDED:operator_suspend',
        'CONNECTIVITY_STATE_SUSPENDED>CONNECTIVITY_STATE_CONNECTING:operator_resume'
      ])
      assert.equal(updates[1]?.change?.note, 'maintenance window')
      assert.equal(changes.at(-1), 'CONNECTIVITY_STATE_CONNECTING>CONNECTIVITY_STATE_ONLINE:peer_connected')
    } finally {
      watch.cancel()
      api.close()
    }
  })

  it('offline refuses a note over 200 characters: exit 2, one line, nothing suspended', async () => {
    const result = await cli(['offline', '--reason', 'x'.repeat(201), ...apiFlags(node)])
    assert.equal(result.code, 2)
    assert.equal(result.stderr, 'sorcha-peer: InvalidArgumentError (invalid_note): note is 201 characters; at most 200 are allowed\n')
    assert.notEqual(connectivityOf(node).state, 'suspended')
  })
})

describe('connectivity API on a node without the connectivity service', () => {
  let net: TestNetwork
  before(async () => {
    net = await startNetwork({ nodes: 1, contributions: [peerHealthContribution(), gatewayContribution], config: { gateway: GATEWAY } })
  })
  after(async () => { await net?.stop() })

  it('status says n/a, offline fails with one line (exit 1), NodeInfo has no connectivity', async () => {
    const node = net.nodes[0]!
    const status = await cli(['status', ...apiFlags(node)])
    assert.equal(status.code, 0, status.stderr)
    assert.match(status.stdout, /^connectivity n\/a \(no connectivity service\)$/m)
    const offline = await cli(['offline', '--transport', 'grpc-unary', ...apiFlags(node)])
    assert.equal(offline.code, 1)
    assert.equal(offline.stderr, 'sorcha-peer: this node runs without the connectivity service\n')
    const rest = await fetch(`${gatewayOf(node).restUrl}/v1/connectivity`)
    assert.equal(rest.status, 503)
    assert.equal((await rest.json() as { reason: string }).reason, 'connectivity_unavailable')
    const info = await (await fetch(`${gatewayOf(node).restUrl}/v1/node`)).json() as { connectivity: unknown }
    assert.equal(info.connectivity, null)
  })
})

describe('offline mode of a `sorcha-peer start` process, across a restart', () => {
  it('offline, SIGINT, start again: the node says it starts suspended, is not ready, and online resumes it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sorcha-offline-'))
    const flags = ['start', '--data-dir', dir, '--listen', '/ip4/127.0.0.1/tcp/0', '--gateway-grpc-port', '0', '--gateway-rest-port', '0', '--ops-port', '0', '--log-format', 'json']
    const start = async (): Promise<Awaited<ReturnType<typeof untilRunning>> & { child: ReturnType<typeof spawn> }> => {
      const child = spawn(NODE, ['src/cli/bin.js', ...flags], { stdio: ['ignore', 'pipe', 'pipe'] })
      return { ...await untilRunning(child), child }
    }
    try {
      const first = await start()
      const api = ['--grpc', first.running.grpc!, '--rest', first.running.rest!]
      const offline = await cli(['offline', '--reason', 'disk swap', ...api])
      assert.equal(offline.code, 0, offline.stderr)
      first.child.kill('SIGINT')
      assert.equal(await first.exit, 0)

      const second = await start()
      try {
        const warning = second.lines.find(l => l.msg === 'the node starts suspended by the operator: sorcha-peer online resumes it')
        assert.ok(warning !== undefined, JSON.stringify(second.lines.map(l => l.msg)))
        assert.equal(warning.note, 'disk swap')
        const ready = await fetch(`${second.running.ops!}/readyz`)
        assert.equal(ready.status, 503)
        assert.deepEqual((await ready.json() as { checks: { peers: unknown } }).checks.peers, { ok: false, detail: 'suspended by the operator' })
        const again = ['--grpc', second.running.grpc!, '--rest', second.running.rest!]
        assert.match((await cli(['status', ...again])).stdout, /^connectivity suspended since .* \(operator_suspend\): disk swap$/m)
        const online = await cli(['online', ...again])
        assert.equal(online.code, 0, online.stderr)
        assert.match(online.stdout, /^offline since .* \(operator_resume\), 0 peers connected \(connections\.min 8\)\n$/)
        assert.equal((await fetch(`${second.running.ops!}/readyz`)).status, 200, 'a bootstrap node alone is ready again')
      } finally {
        second.child.kill('SIGINT')
        await second.exit
      }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
