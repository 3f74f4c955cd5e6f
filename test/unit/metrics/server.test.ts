import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import { describe, it } from 'node:test'
import { CONTENT_TYPE, MetricsServer } from '../../../src/metrics/server.ts'
import { FetchTimer } from '../../../src/gossip/fetch-timer.ts'
import type { GossipRecorder } from '../../../src/metrics/gossip.ts'

describe('the metrics listener', () => {
  it('serves GET and HEAD /metrics as Prometheus text, 404 elsewhere, 405 for other methods', async () => {
    const server = new MetricsServer({ host: '127.0.0.1', port: 0, render: async () => '# HELP x_total x\n# TYPE x_total counter\nx_total 1\n' })
    await server.start()
    try {
      const ok = await fetch(`${server.url}/metrics`)
      assert.equal(ok.status, 200)
      assert.equal(ok.headers.get('content-type'), CONTENT_TYPE)
      assert.match(await ok.text(), /^x_total 1$/m)
      const head = await fetch(`${server.url}/metrics`, { method: 'HEAD' })
      assert.equal(head.status, 200)
      assert.equal(await head.text(), '')
      assert.equal((await fetch(`${server.url}/other`)).status, 404)
      const post = await fetch(`${server.url}/metrics`, { method: 'POST' })
      assert.equal(post.status, 405)
      assert.equal(post.headers.get('allow'), 'GET, HEAD')
    } finally {
      await server.stop()
      await server.stop()
    }
    assert.equal(server.url, '')
  })

  it('answers 500 when rendering fails, and keeps serving', async () => {
    let fail = true
    const server = new MetricsServer({ host: '127.0.0.1', port: 0, render: async () => { if (fail) throw new Error('boom'); return 'y 1\n' } })
    await server.start()
    try {
      assert.equal((await fetch(`${server.url}/metrics`)).status, 500)
      fail = false
      assert.equal((await fetch(`${server.url}/metrics`)).status, 200)
    } finally {
      await server.stop()
    }
  })

  it('a taken port is an AddressInUseError naming metrics.port', async () => {
    const holder = createServer()
    await new Promise<void>(resolve => holder.listen(0, '127.0.0.1', resolve))
    const { port } = holder.address() as { port: number }
    try {
      const server = new MetricsServer({ host: '127.0.0.1', port, render: async () => '' })
      await assert.rejects(server.start(), (err: Error) => err.name === 'AddressInUseError' && err.message.includes('(metrics.port)'))
    } finally {
      await new Promise<void>(resolve => holder.close(() => { resolve() }))
    }
  })
})

describe('fetch timing for the metrics', () => {
  it('times a body from its first request to delivery, forgets discarded ones, and stays bounded', () => {
    const fetched: number[] = []
    const recorder = { fetched: (ms: number) => { fetched.push(ms) } } as unknown as GossipRecorder
    const timer = new FetchTimer(recorder)
    timer.started([{ id: 'a', offset: 0 }, { id: 'b', offset: 0 }, { id: 'c', offset: 100 }])
    timer.ended('a', true)
    timer.ended('b', false)
    timer.ended('b', true)
    timer.ended('c', true)
    assert.equal(fetched.length, 1)
    assert.ok(fetched[0]! >= 0)
    for (let i = 0; i < 20_000; i++) timer.started([{ id: `x${i}`, offset: 0 }])
    timer.ended('x0', true) // evicted: the oldest go first
    timer.ended('x19999', true)
    assert.equal(fetched.length, 2)
  })
})
