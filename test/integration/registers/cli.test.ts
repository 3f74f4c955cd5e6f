/**
 * The registers from the command line (issue 20): `sorcha-peer peers --register R` filters the
 * persisted peer list by the records peers advertised, and SIGHUP makes a running node re-read
 * gossip.registers from its configuration file (a bad file keeps the set and says so in one line).
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { PeerSource } from '../../../protocols/models/index.ts'
import { DefaultPeerList, PEERS_SUBLEVEL } from '../../../src/peers/index.ts'
import { RELOAD_FAILED_MSG, RELOAD_REGISTERS_MSG } from '../../../src/node/reload-registers.ts'
import { openStorage } from '../../../src/storage/index.ts'
import { until } from '../../helpers/api-clients.ts'
import { cli as runCli, NODE } from '../../helpers/cli.ts'
import { untilRunning } from '../../helpers/node-process.ts'
import { makePeerIds } from '../../helpers/peer-ids.ts'
import { TEST_RULES } from '../../helpers/peer-list.ts'

const cli = async (...args: string[]): ReturnType<typeof runCli> => runCli(args, { env: { SORCHA_LOG_LEVEL: 'silent' } })
const [SELF, A, B, C, D] = await makePeerIds(5) as [string, string, string, string, string]
const caps = (registers: string[], allRegisters = false): { protocols: string[], registers: string[], allRegisters: boolean, roles: [], maxTransactionBytes: number, recordSeq: number } =>
  ({ protocols: [], registers, allRegisters, roles: [], maxTransactionBytes: 0, recordSeq: 0 })

describe('registers from the command line', () => {
  let root: string
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'sorcha-registers-cli-'))
    const storage = await openStorage(join(root, 'list'))
    const list = new DefaultPeerList({ db: storage.sublevel(PEERS_SUBLEVEL), selfPeerId: SELF, maxKnown: 100, rules: TEST_RULES })
    await list.start()
    const now = Date.now()
    await list.observe({ peerId: A, addresses: ['/ip4/127.0.0.1/tcp/1'], source: PeerSource.PEER_SOURCE_INBOUND, firsthand: true, fullRecord: true, capabilities: caps(['reg-a', 'reg-b', 'reg-c', 'reg-d', 'reg-e']), now })
    await list.observe({ peerId: B, addresses: ['/ip4/127.0.0.1/tcp/2'], source: PeerSource.PEER_SOURCE_INBOUND, firsthand: true, fullRecord: true, capabilities: caps([], true), now })
    await list.observe({ peerId: C, addresses: ['/ip4/127.0.0.1/tcp/3'], source: PeerSource.PEER_SOURCE_PEER_EXCHANGE, firsthand: false, learnedFrom: A, capabilities: caps(['reg-b']), now })
    await list.observe({ peerId: D, addresses: ['/ip4/127.0.0.1/tcp/4'], source: PeerSource.PEER_SOURCE_DHT, firsthand: false, now })
    await list.stop()
    await storage.close()
  })
  after(async () => { await rm(root, { recursive: true, force: true }) })

  it('peers --register lists the peers serving the register (or every register); the table shows what each serves', async () => {
    const ids = async (...args: string[]): Promise<string[]> => {
      const result = await cli('peers', '--json', '--data-dir', join(root, 'list'), ...args)
      assert.equal(result.code, 0, result.stderr)
      return (JSON.parse(result.stdout) as Array<{ peerId: string }>).map(p => p.peerId).sort()
    }
    assert.deepEqual(await ids('--register', 'reg-a'), [A, B].sort())
    assert.deepEqual(await ids('--register', 'reg-b'), [A, B, C].sort())
    assert.equal((await ids('--register', 'reg-b', '--limit', '2')).length, 2, 'the limit applies after the filter')
    const table = await cli('peers', '--data-dir', join(root, 'list'))
    const lines = table.stdout.trimEnd().split('\n')
    assert.match(lines[0]!, /\sREGISTERS$/)
    const row = (id: string): string => lines.find(l => l.startsWith(`${id.slice(0, 12)}…`)) ?? ''
    assert.match(row(A), /\sreg-a,reg-b,reg-c \+2$/)
    assert.match(row(B), /\sall$/)
    assert.match(row(D), /\s-$/)
  })

  it('peers --register with a malformed id exits 2 naming what is allowed', async () => {
    const bad = await cli('peers', '--register', 'no spaces', '--data-dir', join(root, 'list'))
    assert.equal(bad.code, 2)
    assert.match(bad.stderr, /"no spaces" is not a register id; allowed: 1-128 characters of A-Z a-z 0-9 \. _ : - starting with a letter or digit/)
  })

  it('SIGHUP applies the configuration file\'s gossip.registers to the running node, admin registers changes them, a bad file changes nothing and says so', async () => {
    const file = join(root, 'node.yaml')
    await writeFile(file, 'gossip:\n  registers: [reg-a, reg-b]\n')
    const child = spawn(NODE, ['src/cli/bin.js', 'start', '--config', file, '--data-dir', join(root, 'node'), '--listen', '/ip4/127.0.0.1/tcp/0',
      '--gateway-enabled', 'true', '--gateway-grpc-port', '0', '--gateway-rest-port', '0', '--ops-port', '0', '--log-format', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] })
    const node = await untilRunning(child)
    const registers = async (): Promise<string[]> => ((await (await fetch(`${node.running.rest!}/v1/node`)).json()) as { registers: string[] }).registers
    try {
      assert.deepEqual(await registers(), ['reg-a', 'reg-b'])
      await writeFile(file, 'gossip:\n  registers: [reg-b, reg-c]\n')
      child.kill('SIGHUP')
      await until(async () => (await registers()).join() === 'reg-b,reg-c')
      const changed = node.lines.find(l => l.msg === RELOAD_REGISTERS_MSG) as { follow?: string[], unfollow?: string[] } | undefined
      assert.deepEqual([changed?.follow, changed?.unfollow], [['reg-c'], ['reg-a']])
      // The operator's command changes the set until the next reload.
      const flags = ['--grpc', node.running.grpc!, '--rest', node.running.rest!]
      const set = await cli('admin', 'registers', '--follow', 'reg-x', '--unfollow', 'reg-b', '--json', ...flags)
      assert.equal(set.code, 0, set.stderr)
      assert.deepEqual((JSON.parse(set.stdout) as { registers: string[] }).registers, ['reg-c', 'reg-x'])
      const badId = await cli('admin', 'registers', '--follow', 'bad id', ...flags)
      assert.deepEqual([badId.code, badId.stderr], [2, 'sorcha-peer: InvalidArgumentError (invalid_register_id): follow[0] must be 1-128 characters of A-Z a-z 0-9 . _ : - starting with a letter or digit\n'])
      await writeFile(file, 'gossip:\n  registers: [not a register]\n')
      child.kill('SIGHUP')
      await until(() => node.lines.some(l => l.msg === RELOAD_FAILED_MSG))
      const failed = node.lines.find(l => l.msg === RELOAD_FAILED_MSG) as { err?: string, level?: unknown }
      assert.match(failed.err ?? '', /gossip\.registers/)
      assert.deepEqual(await registers(), ['reg-c', 'reg-x'])
    } finally {
      child.kill('SIGTERM')
    }
    assert.equal(await node.exit, 0)
  })
})
