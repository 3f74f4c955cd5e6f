/**
 * A real Prometheus (Debian's prometheus package) scraping a three-node mesh every second: the
 * queries an operator would write (rate() of counters, histogram_quantile() of histograms) return
 * the expected series through Prometheus's HTTP query API while transactions flow. Everything on
 * 127.0.0.1; Prometheus keeps its data in a temporary directory. Skips with one line without it.
 */
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { gossipOf } from '../../src/gossip/index.ts'
import { startNetwork, type TestNetwork } from '../../src/harness/index.ts'
import { requires } from '../helpers/requires.ts'

const missing = requires({ tools: ['prometheus'] })

interface Sample { metric: Record<string, string>, value: [number, string] }

async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>(resolve => server.close(() => { resolve() }))
  return port
}

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }
const hostPort = (url: string): string => new URL(url).host

describe('a real Prometheus scraping a three-node mesh', { skip: missing }, () => {
  let net: TestNetwork
  let prometheus: ChildProcess | undefined
  let dir = ''
  let api = ''
  let log = ''
  let publishing = true
  let publisher: Promise<void> = Promise.resolve()

  /** An instant query; the samples of its vector result. */
  async function query (promql: string): Promise<Sample[]> {
    const res = await fetch(`${api}/api/v1/query?query=${encodeURIComponent(promql)}`)
    const body = await res.json() as { status: string, data?: { resultType: string, result: Sample[] }, error?: string }
    assert.equal(body.status, 'success', `${promql}: ${body.error ?? ''}`)
    assert.equal(body.data?.resultType, 'vector')
    return body.data?.result ?? []
  }

  /** Polls `promql` until `ok` holds for its samples (Prometheus needs a few scrapes first); returns them. */
  async function until (promql: string, ok: (samples: Sample[]) => boolean): Promise<Sample[]> {
    let samples: Sample[] = []
    for (let tries = 0; tries < 120; tries++) {
      samples = await query(promql)
      if (ok(samples)) return samples
      await sleep(500)
    }
    assert.fail(`${promql} never gave the expected series; last: ${JSON.stringify(samples)}\nprometheus log:\n${log.slice(-2000)}`)
  }

  before(async () => {
    net = await startNetwork({ nodes: 3, config: { metrics: { enabled: true } } })
    dir = await mkdtemp(join(tmpdir(), 'sorcha-prometheus-'))
    const targets = net.nodes.map(n => hostPort(n.metricsUrl))
    await writeFile(join(dir, 'prometheus.yml'), [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      'scrape_configs:',
      '  - job_name: sorcha',
      `    static_configs: [{ targets: [${targets.map(t => `'${t}'`).join(', ')}] }]`
    ].join('\n') + '\n')
    const port = await freePort()
    api = `http://127.0.0.1:${port}`
    prometheus = spawn('prometheus', [
      `--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'
    ], { stdio: ['ignore', 'pipe', 'pipe'] })
    prometheus.stdout?.on('data', (d: Buffer) => { log += d.toString() })
    prometheus.stderr?.on('data', (d: Buffer) => { log += d.toString() })
    for (let tries = 0; ; tries++) {
      const ready = await fetch(`${api}/-/ready`).then(r => r.ok, () => false)
      if (ready) break
      if (tries > 200 || prometheus.exitCode !== null) assert.fail(`prometheus did not become ready:\n${log}`)
      await sleep(100)
    }
    // A steady trickle of transactions from the first node for the rest of the test.
    const publish = gossipOf(net.nodes[0]!)
    publisher = (async () => {
      for (let i = 0; publishing; i++) {
        await publish.publish({ registerId: 'reg-prometheus', payload: new TextEncoder().encode(`scraped ${i}`) })
        await sleep(100)
      }
    })()
  })

  after(async () => {
    publishing = false
    await publisher.catch(() => {})
    if (prometheus !== undefined && prometheus.exitCode === null) {
      const exited = new Promise(resolve => prometheus?.once('exit', resolve))
      prometheus.kill('SIGTERM')
      await exited
    }
    await net?.stop()
    if (dir !== '') await rm(dir, { recursive: true, force: true })
  })

  it('scrapes all three nodes', async () => {
    const up = await until('up{job="sorcha"}', s => s.length === 3 && s.every(x => x.value[1] === '1'))
    assert.deepEqual(up.map(s => s.metric.instance).sort(), net.nodes.map(n => hostPort(n.metricsUrl)).sort())
  })

  it('rate() of the gossip counters: the publisher publishes, the two others deliver', async () => {
    const publisher = hostPort(net.nodes[0]!.metricsUrl)
    const published = await until('sum by (instance) (rate(sorcha_gossip_published_total[5s])) > 0', s => s.length === 1)
    assert.equal(published[0]!.metric.instance, publisher)
    const delivered = await until('sum by (instance) (rate(sorcha_gossip_delivered_total[5s])) > 0', s => s.length === 2)
    assert.deepEqual(delivered.map(s => s.metric.instance).sort(), net.nodes.slice(1).map(n => hostPort(n.metricsUrl)).sort())
    for (const s of delivered) assert.ok(Number(s.value[1]) > 0 && Number(s.value[1]) < 100, `${s.metric.instance}: ${s.value[1]} tx/s`)
    const bytes = await until('sum by (kind) (rate(sorcha_gossip_bytes_total{direction="out"}[5s])) > 0', s => s.some(x => x.metric.kind === 'chunk'))
    assert.ok(bytes.every(s => ['inv', 'getdata', 'notfound', 'summary', 'chunk'].includes(s.metric.kind ?? '')))
  })

  it('histogram_quantile() of the hop and first-receipt histograms', async () => {
    const hops = await until('histogram_quantile(0.5, sum by (le, instance) (rate(sorcha_gossip_hops_bucket[10s])))', s => s.length === 2 && s.every(x => Number.isFinite(Number(x.value[1]))))
    // A mesh of three: every receiver is a neighbour of the publisher, one hop away (the median
    // interpolates within the first bucket, so it is at most 1).
    for (const s of hops) assert.ok(Number(s.value[1]) > 0 && Number(s.value[1]) <= 1, `median hops ${s.value[1]}`)
    const receipt = await until('histogram_quantile(0.9, sum by (le) (rate(sorcha_gossip_first_receipt_seconds_bucket[10s])))', s => s.length === 1 && Number.isFinite(Number(s[0]!.value[1])))
    assert.ok(Number(receipt[0]!.value[1]) >= 0)
  })

  it('the node-level gauges: connections by direction, known peers by status, connectivity state', async () => {
    const connections = await until('sum by (instance) (sorcha_node_connections)', s => s.length === 3 && s.every(x => x.value[1] === '2'))
    assert.equal(connections.length, 3)
    await until('sum by (instance) (sorcha_peers_known{status="healthy"}) >= 1', s => s.length === 3)
    const online = await until('sorcha_node_connectivity_state == 1', s => s.length === 3)
    for (const s of online) assert.ok(['online', 'degraded'].includes(s.metric.state ?? ''), s.metric.state)
  })
})
