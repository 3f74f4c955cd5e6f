/** `sorcha-peer list` and resuming `watch` against a running gateway: pages, the next cursor, and cursor errors. */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { SorchaClient } from '../../src/client/index.ts'
import type { Gateway } from '../../src/gateway/gateway.ts'
import { MemoryBackend } from '../../src/gateway/memory-backend.ts'
import { cli } from '../helpers/cli.ts'
import { startMemoryGateway, TEST_PEER_ID } from '../helpers/memory-gateway.ts'

describe('sorcha-peer list', () => {
  let gateway: Gateway
  let backend: MemoryBackend
  let target: string[]
  const ids: string[] = []
  before(async () => {
    backend = new MemoryBackend({ peerId: TEST_PEER_ID, journalMaxEntries: 4 })
    ;({ gateway } = await startMemoryGateway({ rateLimit: { perSecond: 0 } }, backend))
    target = ['--grpc', gateway.grpcAddress, '--rest', gateway.restUrl]
    const client = new SorchaClient({ endpoints: { grpc: gateway.grpcAddress } })
    for (let i = 1; i <= 6; i++) ids.push((await client.submit({ registerId: i % 2 === 0 ? 'even' : 'odd', payload: Buffer.from(`tx ${i}`) })).txId)
    client.close()
  })
  after(async () => { await gateway.stop() })

  it('prints a page, one line each, and the cursor to go on from; --json and --register too', async () => {
    const page = await cli(['list', ...target, '--limit', '2'])
    assert.equal(page.code, 0, page.stderr)
    const lines = page.stdout.trim().split('\n')
    assert.deepEqual(lines.map(l => l.split(' ')[1]), ids.slice(2, 4))
    assert.match(lines[0]!, /register=odd size=4 type=application\/octet-stream hops=0 cursor=[0-9a-f]{16}\.3$/)
    assert.equal(page.stderr, `next: --since ${backend.journal.cursorOf(4)} (more are stored already)\n`)
    const rest = await cli(['list', ...target, '--transport', 'rest', '--since', backend.journal.cursorOf(4), '--json'])
    assert.equal(rest.code, 0, rest.stderr)
    const parsed = JSON.parse(rest.stdout) as { transactions: Array<{ txId: string, cursor: string }>, nextCursor: string, more: boolean }
    assert.deepEqual([parsed.transactions.map(t => t.txId), parsed.nextCursor, parsed.more], [ids.slice(4), backend.journal.cursorOf(6), false])
    const even = await cli(['list', ...target, '--register', 'even', '--json'])
    assert.deepEqual((JSON.parse(even.stdout) as { transactions: Array<{ txId: string }> }).transactions.map(t => t.txId), [ids[3], ids[5]])
  })

  it('an expired cursor is one line naming the oldest cursor (exit 1), for list and watch; a malformed one is a usage error', async () => {
    const oldest = backend.journal.cursorOf(2)
    const line = `sorcha-peer: cursor ${backend.journal.cursorOf(1)} is older than this node's journal retention; the oldest cursor it accepts is ${oldest} (transactions between the two were dropped)\n`
    for (const command of ['list', 'watch']) {
      const flag = command === 'list' ? '--since' : '--cursor'
      const result = await cli([command, ...target, flag, backend.journal.cursorOf(1)])
      assert.equal(result.code, 1, result.stderr)
      assert.equal(result.stderr, line)
    }
    const foreign = await cli(['list', ...target, '--since', '0123456789abcdef.1'])
    assert.equal(foreign.code, 1)
    assert.equal(foreign.stderr, `sorcha-peer: cursor 0123456789abcdef.1 was not issued by this node's journal (epoch ${backend.journal.cursorOf(0).split('.')[0]}: another node or data directory); the oldest cursor it accepts is ${oldest}\n`)
    const bad = await cli(['list', ...target, '--since', 'yesterday'])
    assert.equal(bad.code, 2)
    assert.equal(bad.stderr, 'sorcha-peer: InvalidArgumentError (invalid_cursor): since is not a cursor this API issued\n')
    const badWatch = await cli(['watch', ...target, '--cursor', 'yesterday'])
    assert.equal(badWatch.code, 2)
    assert.equal(badWatch.stderr, 'sorcha-peer: InvalidArgumentError (invalid_cursor): cursor is not one this API issued\n')
  })
})
