/**
 * `sorcha-peer admin <command>` as a real process against real nodes: readable output and --json for
 * each command, and every failure line the admin commands add.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { GatewayService } from '../../src/gateway/index.ts'
import { dialAddrs, startNetwork, type TestNetwork } from '../../src/harness/index.ts'
import type { SorchaNode } from '../../src/node/sorcha-node.ts'
import { cli, NODE } from '../helpers/cli.ts'
import { untilRunning, type LogLine } from '../helpers/node-process.ts'

const gatewayOf = (node: SorchaNode): { grpcAddress: string, restUrl: string } => (node.libp2p.services as unknown as { gateway: GatewayService }).gateway.current!
const local = (address: string): string => address.replace('0.0.0.0', '127.0.0.1')
const apiFlags = (node: SorchaNode): string[] => ['--grpc', local(gatewayOf(node).grpcAddress), '--rest', local(gatewayOf(node).restUrl)]
const connectedTo = (node: SorchaNode, peer: SorchaNode): boolean => node.libp2p.getConnections(peer.peerId).some(c => c.status === 'open')
const GATEWAY = { enabled: true, grpc: { port: 0 }, rest: { port: 0 }, rateLimit: { perSecond: 0 } }

async function eventually (what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

describe('sorcha-peer admin', () => {
  let net: TestNetwork
  let boot: SorchaNode
  let node: SorchaNode
  let other: SorchaNode
  let open: SorchaNode
  before(async () => {
    net = await startNetwork({ nodes: 2, config: { connections: { min: 1 } }, configFor: i => i === 1 ? { gateway: GATEWAY } : {} })
    ;[boot, node] = net.nodes as [SorchaNode, SorchaNode]
    // Without a bootstrap node and with connections.min 0 it never dials on its own: what connects it is the admin API.
    other = await net.addNode({ bootstrap: [], connections: { min: 0 } })
    // Open on purpose (gateway.allowInsecure): without it the node would refuse to start.
    open = await net.addNode({ bootstrap: [], gateway: { ...GATEWAY, grpc: { host: '0.0.0.0', port: 0 }, rest: { host: '0.0.0.0', port: 0 }, allowInsecure: true } })
    await eventually('node is connected to the bootstrap node', () => connectedTo(node, boot))
  })
  after(async () => { await net?.stop() })

  it('peers prints a table and a summary; --json one object with statuses by name', async () => {
    const text = await cli(['admin', 'peers', ...apiFlags(node)])
    assert.equal(text.code, 0, text.stderr)
    assert.match(text.stdout, /^PEER ID +DIR +ADDRESS +LATENCY +STREAMS +SCORE +STATUS\n/)
    assert.match(text.stdout, new RegExp(`^${boot.peerId.toString()} +out +/ip4/127\\.0\\.0\\.1/tcp/\\d+ +\\S+( ms)? +\\d+ +[\\d.]+ +\\w+$`, 'm'))
    assert.match(text.stdout, /^1 peer connected \(0 inbound, 1 outbound connection\)$/m)
    const json = await cli(['admin', 'peers', '--json', '--transport', 'rest', ...apiFlags(node)])
    assert.equal(json.code, 0, json.stderr)
    const parsed = JSON.parse(json.stdout) as { peers: Array<{ peerId: string, status: string }>, outbound: number }
    assert.deepEqual(parsed.peers.map(p => p.peerId), [boot.peerId.toString()])
    assert.match(parsed.peers[0]!.status, /^PEER_STATUS_/)
  })

  it('dial, disconnect, ban and unban print one line each', async () => {
    const dial = await cli(['admin', 'dial', dialAddrs(other)[0]!, ...apiFlags(node)])
    assert.equal(dial.code, 0, dial.stderr)
    assert.equal(dial.stdout, `connected to ${other.peerId.toString()} (outbound, ${dialAddrs(other)[0]!})\n`)
    const disconnect = await cli(['admin', 'disconnect', other.peerId.toString(), ...apiFlags(node)])
    assert.equal(disconnect.stdout, `disconnected ${other.peerId.toString()} (1 connection closed)\n`)

    // The node's topology maintainer may have dialled it again since; dial makes sure.
    await cli(['admin', 'dial', dialAddrs(other)[0]!, ...apiFlags(node)])
    const ban = await cli(['admin', 'ban', other.peerId.toString(), '--reason', 'sent junk', '--duration', '2h', ...apiFlags(node)])
    assert.equal(ban.code, 0, ban.stderr)
    assert.match(ban.stdout, new RegExp(`^banned ${other.peerId.toString()} until \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z \\(reason: sent junk\\); 1 connection closed\\n$`))
    const json = await cli(['admin', 'unban', other.peerId.toString(), '--json', ...apiFlags(node)])
    assert.equal(json.code, 0, json.stderr)
    assert.notEqual((JSON.parse(json.stdout) as { peer: { status: string } }).peer.status, 'PEER_STATUS_BANNED')
    const forever = await cli(['admin', 'ban', other.peerId.toString(), ...apiFlags(node)])
    assert.match(forever.stdout, new RegExp(`^banned ${other.peerId.toString()} until unbanned \\(reason: admin\\); (it was not connected|1 connection closed)\\n$`))
    const unban = await cli(['admin', 'unban', other.peerId.toString(), ...apiFlags(node)])
    assert.match(unban.stdout, new RegExp(`^unbanned ${other.peerId.toString()} \\(now \\w+\\)\\n$`))
  })

  it('log-level shows and sets levels; info and stats print their lines', async () => {
    const set = await cli(['admin', 'log-level', 'debug', '--subsystem', 'sorcha:gossip', ...apiFlags(node)])
    assert.equal(set.code, 0, set.stderr)
    assert.match(set.stdout, /^global +\w+\nsorcha:gossip +debug\n$/)
    const reset = await cli(['admin', 'log-level', 'default', '--subsystem', 'sorcha:gossip', '--json', ...apiFlags(node)])
    assert.deepEqual((JSON.parse(reset.stdout) as { subsystems: unknown[] }).subsystems, [])
    const info = await cli(['admin', 'info', ...apiFlags(node)])
    assert.equal(info.code, 0, info.stderr)
    assert.match(info.stdout, new RegExp(`^peer id +${node.peerId.toString()}$`, 'm'))
    assert.match(info.stdout, /^nat type +\S+/m)
    assert.match(info.stdout, /^reachability +(public|private|unknown)$/m)
    assert.match(info.stdout, /^connectivity +online since /m)
    const infoJson = JSON.parse((await cli(['admin', 'info', '--json', ...apiFlags(node)])).stdout) as { connectivity: { state: string } }
    assert.equal(infoJson.connectivity.state, 'CONNECTIVITY_STATE_ONLINE')
    const stats = await cli(['admin', 'stats', ...apiFlags(node)])
    assert.equal(stats.code, 0, stats.stderr)
    assert.match(stats.stdout, /^connections +\d+ peers?, \d+ inbound, \d+ outbound, \d+ streams open$/m)
    assert.match(stats.stdout, /^gossip +sorcha: \d+ published/m)
    assert.match(stats.stdout, /^known peers +\d+ \(/m)
  })

  it('failure lines: refused on an open listener, not connected, not banned, bad input, unreachable dial', async () => {
    const refused = await cli(['admin', 'peers', ...apiFlags(open)])
    assert.equal(refused.code, 1)
    assert.equal(refused.stderr, 'sorcha-peer: admin calls are refused: the API listens on 0.0.0.0 (gateway.grpc.host), reachable from other machines, without an API token; set gateway.token (SORCHA_GATEWAY_TOKEN) or listen on 127.0.0.1\n')
    // A node that has stopped: nothing connects to it any more.
    const gone = await net.addNode({ bootstrap: [] })
    const goneAddr = dialAddrs(gone)[0]!
    await gone.stop()
    const notConnected = await cli(['admin', 'disconnect', gone.peerId.toString(), ...apiFlags(node)])
    assert.deepEqual([notConnected.code, notConnected.stderr], [1, `sorcha-peer: peer ${gone.peerId.toString()} has no open connection to this node\n`])
    const notBanned = await cli(['admin', 'unban', other.peerId.toString(), ...apiFlags(node)])
    assert.deepEqual([notBanned.code, notBanned.stderr], [1, `sorcha-peer: peer ${other.peerId.toString()} is not banned\n`])
    const badAddr = await cli(['admin', 'dial', 'example.org:4001', ...apiFlags(node)])
    assert.deepEqual([badAddr.code, badAddr.stderr], [2, 'sorcha-peer: InvalidArgumentError (invalid_multiaddr): multiaddr must be a multiaddr such as /ip4/127.0.0.1/tcp/4001/p2p/<peer id>\n'])
    const badLevel = await cli(['admin', 'log-level', 'loud', ...apiFlags(node)])
    assert.deepEqual([badLevel.code, badLevel.stderr], [2, 'sorcha-peer: InvalidArgumentError (invalid_log_level): log level "loud" is not one of trace, debug, info, warn, error, fatal, silent\n'])
    const badSubsystem = await cli(['admin', 'log-level', 'debug', '--subsystem', 'gossip', ...apiFlags(node)])
    assert.equal(badSubsystem.code, 2)
    assert.match(badSubsystem.stderr, /^sorcha-peer: InvalidArgumentError \(invalid_subsystem\): subsystem "gossip" is not a logger name like sorcha:gossip/)
    const badDuration = await cli(['admin', 'ban', other.peerId.toString(), '--duration', '5x', ...apiFlags(node)])
    assert.equal(badDuration.code, 2)
    assert.match(badDuration.stderr, /^error: option '--duration <time>' argument '5x' is invalid\. must be a whole number with a unit: ms, s, m, h or d \(e\.g\. 30m, 7d\); 0 = until unbanned\n/)
    const badPeer = await cli(['admin', 'ban', 'nope', ...apiFlags(node)])
    assert.deepEqual([badPeer.code, badPeer.stderr], [2, 'sorcha-peer: InvalidArgumentError (invalid_peer_id): peerId is not a libp2p peer id\n'])
    const unknown = await cli(['admin', 'frob'])
    assert.equal(unknown.code, 2)
    assert.match(unknown.stderr, /^error: unknown command 'frob'\n/)
    const bare = await cli(['admin'])
    assert.equal(bare.code, 2)
    assert.match(bare.stderr, /^Usage: sorcha-peer admin \[options\] \[command\]\n/)
    const unreachable = await cli(['admin', 'dial', goneAddr, ...apiFlags(node)])
    assert.equal(unreachable.code, 1)
    assert.match(unreachable.stderr, new RegExp(`^sorcha-peer: dialing ${goneAddr.replaceAll('/', '\\/')} failed \\(\\w+\\)\\n$`))
  })
})

describe('sorcha-peer admin log-level on a `sorcha-peer start` process', () => {
  it('turns one subsystem\'s debug lines on while the node runs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sorcha-admin-log-'))
    const child = spawn(NODE, ['src/cli/bin.js', 'start', '--data-dir', dir, '--listen', '/ip4/127.0.0.1/tcp/0', '--gateway-grpc-port', '0', '--gateway-rest-port', '0', '--ops-port', '0', '--log-format', 'json', '--log-level', 'info'], { stdio: ['ignore', 'pipe', 'pipe'] })
    try {
      const { lines, running } = await untilRunning(child)
      const flags = ['--grpc', running.grpc!, '--rest', running.rest!]
      // Offline and online mode make the topology maintainer log `topology suspended` / `topology resumed` at debug level.
      const named = (msg: string): LogLine[] => lines.filter(l => l.name === 'sorcha:topology' && l.msg === msg)
      assert.equal((await cli(['offline', ...flags])).code, 0)
      const set = await cli(['admin', 'log-level', 'debug', '--subsystem', 'sorcha:topology', ...flags])
      assert.equal(set.code, 0, set.stderr)
      assert.match(set.stdout, /^global +info\nsorcha:topology +debug\n$/)
      assert.equal((await cli(['online', ...flags])).code, 0)
      await eventually('the debug line of online', () => named('topology resumed').length === 1)
      // Lines arrive in order: offline, before the change, logged nothing at debug.
      assert.deepEqual(named('topology suspended'), [])
      assert.equal(named('topology resumed')[0]!.level, 20)
      // The change itself is in the node's log, at info level, as an audit line.
      assert.ok(lines.some(l => l.name === 'sorcha:admin' && l.msg === 'operator changed a log level' && l.subsystem === 'sorcha:topology' && l.newLevel === 'debug' && l.level === 30), 'the audit line')
    } finally {
      child.kill('SIGINT')
      await new Promise(resolve => child.once('exit', resolve))
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('starts with a subsystem at its own level (log.subsystemLevels), which the admin API shows', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sorcha-admin-log-'))
    const child = spawn(NODE, ['src/cli/bin.js', 'start', '--data-dir', dir, '--listen', '/ip4/127.0.0.1/tcp/0', '--gateway-grpc-port', '0', '--gateway-rest-port', '0', '--ops-port', '0', '--log-format', 'json', '--log-level', 'info', '--log-subsystem-levels', 'sorcha:topology=debug'], { stdio: ['ignore', 'pipe', 'pipe'] })
    try {
      const { lines, running } = await untilRunning(child)
      const flags = ['--grpc', running.grpc!, '--rest', running.rest!]
      const named = (msg: string): LogLine[] => lines.filter(l => l.name === 'sorcha:topology' && l.msg === msg)
      const shown = await cli(['admin', 'log-level', ...flags])
      assert.match(shown.stdout, /^global +info\nsorcha:topology +debug\n$/, shown.stderr)
      assert.equal((await cli(['offline', ...flags])).code, 0)
      await eventually('the debug line of offline', () => named('topology suspended').length === 1)
      assert.equal(named('topology suspended')[0]!.level, 20)
      // Other subsystems stay at the global level: none logged at debug.
      assert.deepEqual(lines.filter(l => l.level === 20 && l.name !== 'sorcha:topology' && !String(l.name).startsWith('sorcha:topology:')).map(l => l.name), [])
    } finally {
      child.kill('SIGINT')
      await new Promise(resolve => child.once('exit', resolve))
      await rm(dir, { recursive: true, force: true })
    }
  })
})
