import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { peerIdFromString } from '@libp2p/peer-id'
import type { Connection } from '@libp2p/interface'
import { createRootLogger } from '../../../src/logging/index.ts'
import { StatusLine, statusText, STATUS_MSG, type StatusLineComponents } from '../../../src/node/status-line.ts'

const A = '12D3KooWGRUVh2W6GJrqEC3Ccw5ZDkxn8mNFWmpe1KD8vEJ9LgtG'
const B = '12D3KooWNgoChqaMwiGKXKh5NBqAuFukkvWheTWkpY8fBgN5AjfV'

/** A logger whose JSON lines land in `lines`. */
function capture (): { log: ReturnType<typeof createRootLogger>, lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = []
  const log = createRootLogger({ level: 'info', format: 'json', destination: { write: (s: string) => { lines.push(JSON.parse(s) as Record<string, unknown>) } } })
  return { log, lines }
}

const conn = (peer: string, direction: 'inbound' | 'outbound'): Connection => ({ remotePeer: peerIdFromString(peer), direction }) as unknown as Connection

describe('status line', () => {
  it('reports peers, connections by direction, health, state, tx/s over the interval and queue depth', () => {
    const { log, lines } = capture()
    let now = 1_000_000
    const stats = { published: 10, delivered: 100 }
    const components: StatusLineComponents = {
      connectionManager: { getConnections: () => [conn(A, 'inbound'), conn(A, 'outbound'), conn(B, 'outbound')] },
      peerList: { size: () => 12 },
      health: { snapshot: () => ({ score: 87.54 }) },
      connectivity: { status: () => ({ state: 'online' }) },
      gossip: { stats: () => ({ ...stats }), queueStats: () => ({ depth: 4 }) }
    }
    const line = new StatusLine(components, { intervalMs: 60_000, log, clock: () => now })
    line.start()
    try {
      now += 10_000
      stats.published += 5
      stats.delivered += 25
      const figures = line.emit()
      assert.deepEqual(figures, {
        peersKnown: 12, peersConnected: 2, connectionsIn: 1, connectionsOut: 2, healthScore: 87.5, state: 'online',
        txInPerSec: 2.5, txOutPerSec: 0.5, queueDepth: 4, intervalMs: 10_000
      })
      assert.equal(lines.length, 1)
      assert.equal(lines[0]!.msg, STATUS_MSG)
      assert.equal(lines[0]!.level, 30, 'info level')
      assert.equal(lines[0]!.txInPerSec, 2.5)
      // The next interval's rates start from this line.
      now += 5_000
      assert.equal(line.emit().txInPerSec, 0)
    } finally {
      line.stop()
    }
  })

  it('a missing or not-started service gives null, not a crash', () => {
    const { log, lines } = capture()
    const components = {
      connectionManager: { getConnections: () => [] },
      health: { snapshot: () => { throw new Error('not started') } }
    }
    const figures = new StatusLine(components, { log }).emit()
    assert.equal(figures.peersKnown, null)
    assert.equal(figures.healthScore, null)
    assert.equal(figures.txInPerSec, null)
    assert.equal(figures.queueDepth, null)
    assert.equal(lines.length, 1)
  })

  it('pretty logs get the figures in the message, one line', () => {
    const { log, lines } = capture()
    new StatusLine({ connectionManager: { getConnections: () => [conn(A, 'inbound')] }, peerList: { size: () => 3 } }, { log, fields: false }).emit()
    assert.equal(lines[0]!.msg, 'status: peers 1 connected / 3 known, connections 1 in / 0 out, health n/a, state n/a, tx/s n/a in / n/a out, queue n/a')
    assert.equal(lines[0]!.peersKnown, undefined)
    assert.doesNotMatch(statusText({ peersKnown: 1, peersConnected: 1, connectionsIn: 0, connectionsOut: 1, healthScore: 50, state: 'online', txInPerSec: 0, txOutPerSec: 0, queueDepth: 0, intervalMs: 1 }), /\n/)
  })

  it('start arms one timer and stop clears it (idempotent); 0 never arms it', async () => {
    const { log, lines } = capture()
    const line = new StatusLine({ connectionManager: { getConnections: () => [] } }, { intervalMs: 1, log })
    line.start()
    line.start()
    while (lines.length < 2) await new Promise(resolve => setTimeout(resolve, 5))
    line.stop()
    line.stop()
    const count = lines.length
    await new Promise(resolve => setTimeout(resolve, 30))
    assert.equal(lines.length, count, 'no line after stop')
    const off = new StatusLine({ connectionManager: { getConnections: () => [] } }, { intervalMs: 0, log })
    off.start()
    await new Promise(resolve => setTimeout(resolve, 30))
    off.stop()
    assert.equal(lines.length, count, 'intervalMs 0 logs nothing')
  })
})
