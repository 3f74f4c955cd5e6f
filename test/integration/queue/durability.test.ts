/**
 * Durability of acknowledged submissions, on real node processes (`sorcha-peer start`):
 * - under strace, a new submission costs an fsync/fdatasync before its acknowledgement reaches the
 *   client, and a duplicate or a read costs none (the write is synced, not merely ordered);
 * - kill -9 while submissions are in flight: after a restart every acknowledged transaction is in
 *   the store, the queue resumes from disk, and once a peer is connected all of them reach it and
 *   are confirmed.
 */
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { TransactionState } from '../../../protos/gen/sorcha/api/v1/transaction_distribution.ts'
import { SorchaClient } from '../../../src/client/index.ts'
import { gossipContribution, gossipOf, txIdOf } from '../../../src/gossip/index.ts'
import { dialAddrs, startNetwork, type TestNetwork } from '../../../src/harness/index.ts'
import { NODE } from '../../helpers/cli.ts'
import { untilRunning, type RunningProcess } from '../../helpers/node-process.ts'
import { requires } from '../../helpers/requires.ts'
import { waitFor } from '../../support/gossip-net.ts'

const REGISTER = 'durable'
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')

/** `sorcha-peer start` flags for a loopback node with its API on free ports. */
const startArgs = (dataDir: string, extra: string[] = []): string[] => [
  'src/cli/bin.js', 'start', '--data-dir', dataDir, '--listen', '/ip4/127.0.0.1/tcp/0',
  '--gateway-grpc-port', '0', '--gateway-rest-port', '0', '--gateway-rate-limit-per-second', '0', '--ops-port', '0',
  '--log-format', 'json', '--queue-retry-initial-ms', '200', '--queue-retry-max-ms', '2000', ...extra
]

async function start (command: string, args: string[]): Promise<RunningProcess & { child: ChildProcess }> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  return { child, ...await untilRunning(child) }
}

const clientOf = (running: RunningProcess['running']): SorchaClient =>
  new SorchaClient({ endpoints: { grpc: running.grpc as string }, maxAttempts: 1, timeoutMs: 20_000 })

describe('durability of acknowledged submissions (node processes)', () => {
  let root: string
  const children: ChildProcess[] = []
  const nets: TestNetwork[] = []
  before(async () => { root = await mkdtemp(join(tmpdir(), 'sorcha-durable-')) })
  after(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
    await Promise.all(nets.map(async net => net.stop()))
    await rm(root, { recursive: true, force: true })
  })

  it('a new submission is fsynced before it is acknowledged; a duplicate or a read is not', { skip: requires({ tools: ['strace'] }) }, async () => {
    const log = join(root, 'strace.log')
    const node = await start(NODE, startArgs(join(root, 'traced')))
    children.push(node.child)
    // Attached to every thread of the running node (LevelDB writes from libuv's pool), so that
    // stopping strace detaches and the node stays this test's child.
    const strace = spawn('strace', ['-f', '-p', String(node.child.pid), '-e', 'trace=fsync,fdatasync', '-o', log], { stdio: ['ignore', 'ignore', 'pipe'] })
    children.push(strace)
    await new Promise<void>((resolve, reject) => {
      let err = ''
      strace.stderr.on('data', (d: Buffer) => { err += d.toString(); if (/attached/.test(err)) resolve() })
      strace.once('exit', code => { reject(new Error(`strace exited (${code}): ${err}`)) })
    })
    const syncs = async (): Promise<number> => (await readFile(log, 'utf8')).split('\n').filter(line => /\b(fsync|fdatasync)\(/.test(line)).length
    const client = clientOf(node.running)
    try {
      const idle = await syncs()
      const read = await client.nodeInfo()
      assert.equal(read.queue?.depth, 0)
      assert.equal(await syncs(), idle, 'a read syncs nothing')
      const first = await client.submit({ registerId: REGISTER, payload: Buffer.from('synced before the ack') })
      assert.equal(first.duplicate, false)
      const afterSubmit = await syncs()
      assert.ok(afterSubmit > idle, `an fsync before the acknowledgement (${idle} -> ${afterSubmit})`)
      const again = await client.submit({ registerId: REGISTER, payload: Buffer.from('synced before the ack') })
      assert.equal(again.duplicate, true)
      assert.equal(await syncs(), afterSubmit, 'a duplicate writes nothing')
    } finally {
      client.close()
      strace.kill('SIGINT')
      node.child.kill('SIGKILL')
      await node.exit
    }
  })

  it('kill -9 during submissions: every acknowledged one survives, the queue resumes, and a peer gets and confirms them all', async () => {
    const dataDir = join(root, 'killed')
    const first = await start(NODE, startArgs(dataDir))
    children.push(first.child)
    const client = clientOf(first.running)
    const acked: string[] = []
    let n = 0
    let killed = false
    // 16 submitters; the node is killed once 300 are acknowledged, with others in flight.
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (!killed) {
        const payload = Buffer.from(`kill -9 ${n++}`)
        try {
          const result = await client.submit({ registerId: REGISTER, payload })
          acked.push(result.txId)
          assert.equal(result.txId, hex(txIdOf(payload)))
          if (acked.length >= 300 && !killed) {
            killed = true
            first.child.kill('SIGKILL')
          }
        } catch {
          if (!killed) throw new Error('a submission failed before the kill')
        }
      }
    }))
    client.close()
    assert.equal(await first.exit, null, 'killed by a signal')

    const net = await startNetwork({ nodes: 1, bootstrap: 'none', config: { gossip: { registers: [REGISTER] } }, contributions: [gossipContribution()] })
    nets.push(net)
    const peer = net.nodes[0]!
    const second = await start(NODE, startArgs(dataDir, ['--bootstrap', dialAddrs(peer)[0] as string]))
    children.push(second.child)
    const resumed = second.lines.find(line => line.msg === 'outbound queue resumed from disk') as { unconfirmed: number } | undefined
    assert.ok(resumed, 'the queue says it resumed')
    assert.ok(resumed.unconfirmed >= acked.length, `${resumed.unconfirmed} unconfirmed on disk, ${acked.length} acknowledged`)
    const again = clientOf(second.running)
    try {
      await waitFor(async () => (await again.nodeInfo()).queue?.depth === 0, 120_000, 'queue confirmed empty after the restart')
      for (const id of acked) {
        assert.ok(await gossipOf(peer).get(id), `the peer holds acknowledged ${id}`)
        assert.equal((await again.getTransaction(id)).header.state, TransactionState.TRANSACTION_STATE_CONFIRMED)
      }
      process.stdout.write(`# kill -9 after ${acked.length} acknowledged submissions: ${resumed.unconfirmed} resumed from disk, all acknowledged ones confirmed by the peer\n`)
    } finally {
      again.close()
      second.child.kill('SIGTERM')
      await second.exit
    }
  })
})
