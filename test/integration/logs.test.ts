/**
 * Logs that help (issue 17 item 5), on real `sorcha-peer start` processes with --log-format json:
 * the identity line, the periodic status line, one warning for a bootstrap peer that stays down
 * however often it is retried, one warning for a bootstrap address that answers as another peer,
 * the last-peer warning and the info lines when the bootstrap peer and a first peer are back; and
 * every line on stderr, from start to stop, is one JSON object.
 */
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { NODE } from '../helpers/cli.ts'
import { RUNNING_MSG } from '../helpers/node-process.ts'
import { assertInGuide } from '../helpers/troubleshooting.ts'

type Line = Record<string, unknown>

/** A `sorcha-peer start` process whose every stderr line is kept, raw and parsed. */
interface NodeRun {
  child: ChildProcess
  raw: string[]
  lines: Line[]
  exit: Promise<number | null>
}

/** Flags for a loopback node with its API off and JSON logs. */
const LOCAL = ['--gateway-enabled', 'false', '--ops-port', '0', '--log-format', 'json']

function startNode (dataDir: string, args: string[]): NodeRun {
  const child = spawn(NODE, ['src/cli/bin.js', 'start', '--data-dir', dataDir, ...LOCAL, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  // 'close', not 'exit': the process may have exited before all of its stderr has been read.
  const run: NodeRun = { child, raw: [], lines: [], exit: new Promise(resolve => child.once('close', code => { resolve(code) })) }
  let buffer = ''
  child.stderr!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString()
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      const text = buffer.slice(0, nl)
      buffer = buffer.slice(nl + 1)
      run.raw.push(text)
      try { run.lines.push(JSON.parse(text) as Line) } catch { /* kept in raw; the test fails on it */ }
    }
  })
  child.stderr!.once('end', () => { if (buffer !== '') run.raw.push(buffer) })
  return run
}

/** Waits until a line matches (the process exiting first fails the test with its output). */
async function until (run: NodeRun, what: string, match: (line: Line) => boolean): Promise<Line> {
  let exited = false
  void run.exit.then(() => { exited = true })
  for (;;) {
    const found = run.lines.find(match)
    if (found !== undefined) return found
    if (exited) throw new Error(`exited before ${what}:\n${run.raw.join('\n')}`)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}

/** A loopback TCP port that nothing listens on now (bound, then closed). */
async function closedPort (): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise(resolve => server.close(resolve))
  return port
}

const DEAD_ID = '12D3KooWGRUVh2W6GJrqEC3Ccw5ZDkxn8mNFWmpe1KD8vEJ9LgtG'
const WRONG_ID = '12D3KooWNgoChqaMwiGKXKh5NBqAuFukkvWheTWkpY8fBgN5AjfV'

describe('logs that help, on real processes with --log-format json', () => {
  let root: string
  before(async () => { root = await mkdtemp(join(tmpdir(), 'sorcha-logs-')) })
  after(async () => { await rm(root, { recursive: true, force: true }) })

  it('status lines, bootstrap warnings once per outage, the last-peer warning, and every line JSON', async () => {
    const bootPort = await closedPort()
    const bootArgs = ['--listen', `/ip4/127.0.0.1/tcp/${bootPort}`]
    let boot = startNode(join(root, 'boot'), bootArgs)
    const bootId = (await until(boot, 'the bootstrap node runs', l => l.msg === RUNNING_MSG)).peerId as string
    const deadAddr = `/ip4/127.0.0.1/tcp/${await closedPort()}/p2p/${DEAD_ID}`
    const bootAddr = `/ip4/127.0.0.1/tcp/${bootPort}/p2p/${bootId}`
    // The bootstrap node's address under another peer id: it answers, as itself.
    const wrongAddr = `/ip4/127.0.0.1/tcp/${bootPort}/p2p/${WRONG_ID}`
    const node = startNode(join(root, 'node'), [
      '--listen', '/ip4/127.0.0.1/tcp/0', '--log-level', 'debug', '--log-status-interval-ms', '1000',
      '--discovery-bootstrap-backoff-initial-ms', '100', '--discovery-bootstrap-backoff-max-ms', '500',
      '--bootstrap', bootAddr, '--bootstrap', deadAddr, '--bootstrap', wrongAddr
    ])
    try {
      const created = await until(node, 'the identity line', l => l.msg === 'created a new identity')
      assert.match(created.peerId as string, /^12D3KooW/)
      assert.equal(created.path, join(root, 'node', 'identity.key'))

      await until(node, 'a status line with the bootstrap node connected', l => l.msg === 'status' && (l.peersConnected as number) >= 1)
      const dead = await until(node, 'the dead bootstrap warning', l => l.level === 40 && l.peer === DEAD_ID)
      assert.equal(dead.msg, `bootstrap peer ${DEAD_ID} is unreachable at ${deadAddr}: ${dead.reason as string}; the node keeps retrying and logs when it is reached`)
      assert.match(dead.reason as string, /ECONNREFUSED/)
      assertInGuide('bootstrap-unreachable', dead.msg as string)
      const wrong = await until(node, 'the mismatched peer id warning', l => l.level === 40 && l.expected === WRONG_ID)
      assert.equal(wrong.answered, bootId)
      assert.equal(wrong.msg, `bootstrap address ${wrongAddr} answered as peer ${bootId}, not ${WRONG_ID}: correct the /p2p/ part of the bootstrap address (sorcha-peer id on the bootstrap node prints its id)`)
      assertInGuide('bootstrap-wrong-peer-id', wrong.msg as string)

      // The bootstrap node goes away: the node's last peer, and a bootstrap outage.
      boot.child.kill('SIGTERM')
      assert.equal(await boot.exit, 0)
      const lost = await until(node, 'the last-peer warning', l => l.level === 40 && l.msg === 'lost the last connected peer: this node is isolated until a peer connects')
      assert.equal(lost.peer, bootId)
      assertInGuide('last-peer-lost', lost.msg as string)
      await until(node, 'the bootstrap node unreachable', l => l.level === 40 && l.peer === bootId && l.msg !== lost.msg)
      await until(node, 'a status line without peers', l => l.msg === 'status' && l.peersConnected === 0 && l.time! > lost.time!)

      // It comes back on the same address: info lines, no warning.
      boot = startNode(join(root, 'boot'), bootArgs)
      await until(boot, 'the bootstrap node runs again', l => l.msg === RUNNING_MSG)
      assert.equal(boot.lines.some(l => l.msg === 'created a new identity'), false, 'its identity exists already')
      const back = await until(node, 'the bootstrap node reachable again', l => l.level === 30 && l.peer === bootId && typeof l.downMs === 'number')
      assert.match(back.msg as string, new RegExp(`^bootstrap peer ${bootId} is reachable again after \\d+ s$`))
      await until(node, 'a peer back', l => l.level === 30 && l.msg === 'connected to a peer again')

      // Many more dials of the dead bootstrap peer failed meanwhile; still one warning for it.
      await until(node, 'several failed dials of the dead peer', () => node.lines.filter(l => l.msg === 'dial failed' && l.peer === DEAD_ID).length >= 5)
    } finally {
      // The node first, and only then its bootstrap node: stopped together, a loaded node can see the
      // bootstrap node go before it handles its own SIGTERM, which is a second outage (and warning).
      node.child.kill('SIGTERM')
      await node.exit
      boot.child.kill('SIGTERM')
      await boot.exit
    }
    const log = (): string => `\n${node.raw.filter(text => !text.includes('"level":20')).join('\n')}`
    assert.equal(await node.exit, 0, log())
    assert.equal(node.lines.filter(l => l.level === 40 && l.peer === DEAD_ID).length, 1, `one warning for a bootstrap peer that stays down${log()}`)
    assert.equal(node.lines.filter(l => l.level === 40 && l.expected === WRONG_ID).length, 1, `one warning for the mismatched id${log()}`)
    assert.equal(node.lines.filter(l => l.level === 40 && l.peer === bootId && l.msg !== 'lost the last connected peer: this node is isolated until a peer connects').length, 1, `one warning per outage${log()}`)
    const statuses = node.lines.filter(l => l.msg === 'status')
    for (const s of statuses) {
      for (const field of ['peersKnown', 'peersConnected', 'connectionsIn', 'connectionsOut', 'healthScore', 'state', 'txInPerSec', 'txOutPerSec', 'queueDepth']) assert.ok(field in s, `status line has ${field}`)
      assert.equal(s.level, 30)
      assert.equal(s.name, 'sorcha:status')
    }
    const notJson = node.raw.filter(text => { try { JSON.parse(text); return false } catch { return true } })
    assert.deepEqual(notJson, [], 'every stderr line is JSON')
    assert.ok(node.lines.some(l => l.msg === 'stopped'))
  })

  it('a node alone (a bootstrap node without peers) logs no warning, and its lines are JSON too', async () => {
    const node = startNode(join(root, 'alone'), ['--listen', '/ip4/127.0.0.1/tcp/0', '--log-status-interval-ms', '1000'])
    await until(node, 'the node runs', l => l.msg === RUNNING_MSG)
    await until(node, 'a status line', l => l.msg === 'status')
    node.child.kill('SIGTERM')
    assert.equal(await node.exit, 0)
    assert.equal(node.lines.filter(l => (l.level as number) >= 40).length, 0, node.raw.join('\n'))
    assert.deepEqual(node.raw.filter(text => { try { JSON.parse(text); return false } catch { return true } }), [])
  })
})
