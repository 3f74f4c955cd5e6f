/**
 * `npm run bench -- dashboard [--known 1000] [--seconds 10] [--rounds 3] [--json]`: the dashboard of a real node
 * (3 nodes, the first one's peer list holding --known extra peers) in Debian's chromium through
 * playwright-core.
 *
 * - firstRenderMs: from navigation to the peer table rendered with every known peer (target < 1,000 ms);
 * - firstLoadKb: bytes the browser received for that first load: the page, its assets, the API calls
 *   and the feed up to the render (headers included; target < 500 KB);
 * - cpuRatio: the node process's CPU with one dashboard open over its CPU with none, in the same run:
 *   --rounds (3) times --seconds (10) with none, then --seconds with one open (a headless chromium of
 *   its own, not driven: the browser is another process and is not counted); target <= 1.05.
 *
 * Last line: { firstRenderMs, firstLoadKb, cpuRatio, cpuIdleMsPerS, cpuOpenMsPerS, feedTicks, feedListReads (reads of the
 * whole peer list), pagesOpen (1), knownPeers, rows }.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import type { GatewayService } from '../../src/gateway/index.ts'
import { startNetwork } from '../../src/harness/index.ts'
import type { SorchaNode } from '../../src/node/sorcha-node.ts'
import { requires } from '../helpers/requires.ts'
import { addHearsayPeers } from './known-peers.ts'
import { benchArgs, report, sleep } from './_util.ts'

const cpuMs = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000 }

async function cpuOver (seconds: number): Promise<number> {
  const c0 = cpuMs()
  const t0 = performance.now()
  await sleep(seconds * 1000)
  return (cpuMs() - c0) / ((performance.now() - t0) / 1000)
}

/** Runs the benchmark. */
export default async function dashboard (argv: string[]): Promise<void> {
  const args = benchArgs(argv, ['known', 'seconds', 'rounds'])
  const known = Number(args.known ?? 1000)
  const seconds = Number(args.seconds ?? 10)
  const rounds = Number(args.rounds ?? 3)
  const missing = requires({ tools: ['chromium'] })
  if (missing !== undefined) throw new Error(`the dashboard benchmark ${missing}`)
  const net = await startNetwork({
    nodes: 3,
    config: { connections: { min: 2 } },
    configFor: i => i === 0 ? { gateway: { enabled: true, grpc: { port: 0 }, rest: { port: 0 }, rateLimit: { perSecond: 0 } }, peers: { maxKnown: known + 100 } } : {}
  })
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-dev-shm-usage'] })
  try {
    const node = net.nodes[0] as SorchaNode
    const gateway = (node.libp2p.services as unknown as { gateway: GatewayService }).gateway.current!
    const list = await addHearsayPeers(node, known, net.nodes[1]!.peerId.toString())
    await sleep(2000)
    const rows = Math.min(1000, list.size())
    // A function, not a string: the page's Content-Security-Policy forbids eval.
    const rendered = (n: number): boolean => (globalThis as unknown as { document: { querySelectorAll: (s: string) => { length: number } } }).document.querySelectorAll('#peer-table tbody tr').length >= n

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    const cdp = await page.context().newCDPSession(page)
    await cdp.send('Network.enable')
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true })
    const streamed = new Map<string, number>()
    const finished = new Map<string, number>()
    cdp.on('Network.dataReceived', e => { streamed.set(e.requestId, (streamed.get(e.requestId) ?? 0) + e.encodedDataLength) })
    cdp.on('Network.responseReceived', e => { streamed.set(e.requestId, (streamed.get(e.requestId) ?? 0) + (e.response.encodedDataLength ?? 0)) })
    cdp.on('Network.loadingFinished', e => { finished.set(e.requestId, e.encodedDataLength) })
    const t0 = performance.now()
    await page.goto(`${gateway.restUrl}/dashboard`)
    await page.waitForFunction(rendered, rows, { polling: 'raf', timeout: 120_000 })
    const firstRenderMs = Math.round(performance.now() - t0)
    let bytes = 0
    for (const [id, n] of streamed) bytes += finished.get(id) ?? n
    for (const [id, n] of finished) if (!streamed.has(id)) bytes += n
    const firstLoadKb = Math.round(bytes / 102.4) / 10
    await cdp.detach()
    await page.close()

    // CPU, alternating --rounds times: none open, then one open. The open page is a chromium of its
    // own with no automation attached: playwright runs in this process, and its handling of the
    // browser's protocol traffic would be counted as the node's.
    const feed = (gateway.rest?.fastify as unknown as { sorchaDashboardFeed: { ticks: number, fullReads: number, size: number, eventsSent: number } }).sorchaDashboardFeed
    let idleSum = 0
    let openSum = 0
    let open = 0
    for (let round = 0; round < rounds; round++) {
      await sleep(2000)
      idleSum += await cpuOver(seconds)
      const viewer = spawn('/usr/bin/chromium', ['--headless', '--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', `--user-data-dir=${mkdtempSync(join(tmpdir(), 'sorcha-dash-'))}`, '--window-size=1280,800', `${gateway.restUrl}/dashboard`], { stdio: 'ignore' })
      const until = Date.now() + 60_000
      while (feed.size < 1 && Date.now() < until) await sleep(100)
      if (feed.size < 1) throw new Error('the headless chromium never opened the dashboard\'s feed')
      await sleep(2000)
      openSum += await cpuOver(seconds)
      open = Math.max(open, feed.size)
      viewer.kill()
      await once(viewer, 'exit')
    }
    const idle = idleSum / rounds
    const withPage = openSum / rounds
    report({
      firstRenderMs,
      firstLoadKb,
      cpuRatio: Math.round(withPage / idle * 1000) / 1000,
      cpuIdleMsPerS: Math.round(idle * 10) / 10,
      cpuOpenMsPerS: Math.round(withPage * 10) / 10,
      feedTicks: feed.ticks,
      feedListReads: feed.fullReads,
      feedEvents: feed.eventsSent,
      pagesOpen: open,
      knownPeers: list.size(),
      rows
    }, args.json === true)
  } finally {
    await browser.close()
    await net.stop()
  }
}
