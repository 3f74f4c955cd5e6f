import assert from 'node:assert/strict'
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { PeerSource } from '../../protocols/models/index.ts'
import { ago, peersTable } from '../../src/cli/actions/peers.ts'
import { DefaultPeerList, PEERS_SUBLEVEL } from '../../src/peers/index.ts'
import { openStorage } from '../../src/storage/index.ts'
import { cli as runCli } from '../helpers/cli.ts'
import { makePeerIds } from '../helpers/peer-ids.ts'
import { TEST_RULES } from '../helpers/peer-list.ts'
import { assertInGuide } from '../helpers/troubleshooting.ts'

/** The CLI with logging silenced. */
const cli = async (...args: string[]): ReturnType<typeof runCli> => runCli(args, { env: { SORCHA_LOG_LEVEL: 'silent' } })
const [SELF, A, B, C] = await makePeerIds(4) as [string, string, string, string]

describe('sorcha-peer peers', () => {
  let dir: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sorcha-cli-'))
    const storage = await openStorage(dir)
    const list = new DefaultPeerList({ db: storage.sublevel(PEERS_SUBLEVEL), selfPeerId: SELF, maxKnown: 100, rules: TEST_RULES })
    await list.start()
    const now = Date.now()
    await list.observe({ peerId: A, addresses: ['/ip4/127.0.0.1/tcp/1'], source: PeerSource.PEER_SOURCE_INBOUND, firsthand: true, now })
    await list.recordSuccess(A, { now, latencyMs: 4 })
    await list.observe({ peerId: B, addresses: ['/ip4/127.0.0.1/tcp/2'], source: PeerSource.PEER_SOURCE_DHT, firsthand: false, learnedFrom: A, now: now - 1000 })
    await list.observe({ peerId: C, addresses: [], source: PeerSource.PEER_SOURCE_DHT, firsthand: true, now })
    await list.recordFailure(C, { now, reason: 'ping' })
    await list.stop()
    await storage.close()
  })
  after(async () => { await rm(dir, { recursive: true, force: true }) })

  it('prints the persisted list as JSON, best score first, filtered and limited', async () => {
    const all = await cli('peers', '--json', '--data-dir', dir)
    assert.equal(all.code, 0)
    const peers = JSON.parse(all.stdout) as Array<{ peerId: string, status: string, source: string, latencyMs: number }>
    assert.deepEqual(peers.map(p => p.peerId), [A, C, B])
    assert.deepEqual(peers.map(p => p.status), ['PEER_STATUS_HEALTHY', 'PEER_STATUS_DEGRADED', 'PEER_STATUS_UNKNOWN'], 'the spelling REST uses')
    assert.equal(peers[0]?.latencyMs, 4)
    assert.equal(peers[0]?.source, 'PEER_SOURCE_INBOUND')
    const some = await cli('peers', '--json', '--status', 'degraded,unknown', '--limit', '1', '--data-dir', dir)
    assert.deepEqual((JSON.parse(some.stdout) as Array<{ peerId: string }>).map(p => p.peerId), [C])
    const documented = await cli('peers', '--json', '--status', 'PEER_STATUS_DEGRADED,PEER_STATUS_UNKNOWN', '--order', 'PEER_ORDER_LAST_SEEN', '--data-dir', dir)
    assert.deepEqual((JSON.parse(documented.stdout) as Array<{ peerId: string }>).map(p => p.peerId), [C, B])
  })

  it('rejects an unknown status or order with exit 2 and the allowed values', async () => {
    const status = await cli('peers', '--status', 'sleepy', '--data-dir', dir)
    assert.equal(status.code, 2)
    assert.match(status.stderr, /"sleepy" is not a status; allowed: PEER_STATUS_UNKNOWN, PEER_STATUS_CONNECTING, PEER_STATUS_HEALTHY, PEER_STATUS_DEGRADED, PEER_STATUS_UNREACHABLE, PEER_STATUS_BANNED \(also unknown, connecting, healthy, degraded, unreachable, banned\)/)
    const order = await cli('peers', '--order', 'newest', '--data-dir', dir)
    assert.equal(order.code, 2)
    assert.match(order.stderr, /Allowed choices are PEER_ORDER_UNSPECIFIED, PEER_ORDER_LAST_SEEN, PEER_ORDER_SCORE, lastSeen, last-seen, score/)
  })

  it('prints a readable table', async () => {
    const table = await cli('peers', '--order', 'last-seen', '--data-dir', dir)
    assert.equal(table.code, 0)
    const lines = table.stdout.trimEnd().split('\n')
    assert.match(lines[0]!, /^PEER\s+STATUS\s+LAST SEEN\s+FAILURES\s+LATENCY\s+SCORE\s+SOURCE/)
    assert.equal(lines.length, 4)
    assert.ok(lines.some(l => l.startsWith(`${A.slice(0, 12)}…${A.slice(-6)}`) && l.includes('healthy') && l.includes('4.0 ms')))
    assert.ok(lines.some(l => l.includes('unknown') && l.includes('never')))
  })

  it('says so in one line and exits 1 while a node holds the database', async () => {
    const storage = await openStorage(dir)
    try {
      const locked = await cli('peers', '--data-dir', dir)
      assert.equal(locked.code, 1)
      assert.equal(locked.stdout, '')
      assert.equal(locked.stderr.trimEnd().split('\n').length, 1)
      assert.match(locked.stderr, /node is running/)
    } finally {
      await storage.close()
    }
  })

  it('rejects an unknown status as a usage error, and shows an empty list for a directory no node has used', async () => {
    assert.equal((await cli('peers', '--status', 'sleepy', '--data-dir', dir)).code, 2)
    const empty = join(dir, 'empty')
    await mkdir(empty)
    const fresh = await cli('peers', '--json', '--data-dir', empty)
    assert.equal(fresh.code, 0)
    assert.deepEqual(JSON.parse(fresh.stdout), [])
  })

  it('a data directory that does not exist is a usage error in one line, and is not created', async () => {
    const missing = join(dir, 'typo')
    for (const args of [['peers', '--data-dir', missing], ['peers', '--json', '--data-dir', missing]]) {
      const result = await cli(...args)
      assert.equal(result.code, 2)
      assert.equal(result.stdout, '')
      assert.equal(result.stderr, `sorcha-peer: no data directory at ${missing}: dataDir=${missing}: pass --data-dir (or set SORCHA_DATA_DIR) to the data directory of a node\n`)
      assertInGuide('peers-no-data-dir', result.stderr)
    }
    await assert.rejects(stat(missing), { code: 'ENOENT' })
    const file = join(dir, 'a-file')
    await writeFile(file, '')
    const notDir = await cli('peers', '--data-dir', file)
    assert.equal(notDir.code, 2)
    assert.match(notDir.stderr, /^sorcha-peer: not a directory: .*a-file: dataDir=.*a-file: pass --data-dir/)
  })

  it('formats ages and an empty table', () => {
    assert.equal(ago(0, 1000), 'never')
    assert.equal(ago(1000, 43_000), '42s ago')
    assert.equal(ago(0 + 1, 1 + 3 * 3_600_000), '3h ago')
    assert.equal(ago(1, 1 + 2 * 86_400_000), '2d ago')
    assert.equal(ago(1, 1 + 5 * 60_000), '5m ago')
    assert.equal(peersTable([], 0), 'no peers known\n')
  })
})
