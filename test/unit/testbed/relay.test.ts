/**
 * The testbed's userspace link emulator (simulations/testbed/local/relay.ts) on loopback: each direction is held
 * for its own link's delay, data keeps its order, a "lost" chunk costs a retransmission timeout,
 * and the far end's close reaches the near end. Delays are floors, so these hold on any machine.
 */
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { connect, createServer, type AddressInfo, type Socket } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { startRelay } from '../../../simulations/testbed/local/relay.ts'
import { MIN_RTO_MS, type RelayRoute } from '../../../simulations/testbed/local/links.ts'
import type { LinkSpec } from '../../../simulations/testbed/plan.ts'

const link = (baseMs: number, lossRate = 0): LinkSpec => ({ baseMs, jitterMs: 0, lossRate })

describe('testbed relay', () => {
  // An echo server that stamps when it saw each chunk.
  const seen: number[] = []
  const echo = createServer(s => { s.on('data', d => { seen.push(performance.now()); s.write(d) }); s.on('end', () => s.end()) })
  let port = 0
  const stops: Array<() => void> = []
  before(async () => { echo.listen(0, '127.0.0.1'); await once(echo, 'listening'); port = (echo.address() as AddressInfo).port })
  after(() => { for (const stop of stops) stop(); echo.close() })

  const through = async (route: Omit<RelayRoute, 'host' | 'targetPort'>): Promise<Socket> => {
    const relay = await startRelay({ seed: 1, routes: [{ ...route, host: '127.0.0.1', targetPort: port }] })
    stops.push(relay.stop)
    const s = connect(relay.ports[0]!, '127.0.0.1')
    await once(s, 'connect')
    return s
  }
  const readAll = async (s: Socket, bytes: number): Promise<string> => new Promise(resolve => {
    let got = ''
    const onData = (chunk: Buffer): void => { got += String(chunk); if (got.length >= bytes) { s.off('data', onData); resolve(got) } }
    s.on('data', onData)
  })

  it('holds each direction for its own delay and keeps the order', async () => {
    const s = await through({ port: 0, up: link(40), down: link(25) })
    const sent = performance.now()
    seen.length = 0
    for (let k = 0; k < 20; k++) s.write(`${String(k).padStart(2, '0')};`)
    const got = await readAll(s, 60)
    const back = performance.now()
    assert.equal(got, Array.from({ length: 20 }, (_, k) => `${String(k).padStart(2, '0')};`).join(''))
    assert.ok(seen[0]! - sent >= 39, `up ${seen[0]! - sent} ms`)
    assert.ok(back - sent >= 64, `round trip ${back - sent} ms`)
    s.end()
  })

  it('a lost chunk arrives a retransmission timeout late, not never; a close passes through', async () => {
    const s = await through({ port: 0, up: link(10, 1), down: link(10) })
    seen.length = 0
    const sent = performance.now()
    s.write('x')
    assert.equal(await readAll(s, 1), 'x')
    assert.ok(performance.now() - sent >= MIN_RTO_MS + 20 + 10, `${performance.now() - sent} ms`)
    s.end()
    await once(s, 'end') // the echo server's end, back through the relay
    assert.equal(seen.length, 1)
  })
})
