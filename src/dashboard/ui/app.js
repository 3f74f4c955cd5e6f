// The dashboard page (docs/dashboard.md): no framework and no build step; uPlot draws the charts.
// State comes from the live feed (/dashboard/feed, SSE: hello, tick, event); actions and searches
// go through the public REST API (/v1/...), authenticated by the session cookie.
import { api, $, text, ago, duration } from './panels.js'
import { PeerTable } from './peers.js'
import { EventsPanel } from './events.js'

const CHARTS = [
  { title: 'Connections', series: [['connections', 'conns', '#1f5fbf']] },
  { title: 'Health score', series: [['score', 'health', '#137333']], range: [0, 100] },
  { title: 'Transactions / s', series: [['in', 'txIn', '#1f5fbf'], ['out', 'txOut', '#c26a00']] },
  { title: 'First receipt (ms)', series: [['p50', 'p50', '#137333'], ['p90', 'p90', '#c26a00'], ['p99', 'p99', '#b42318']] },
  { title: 'Gossip bytes / s', series: [['in', 'bytesIn', '#1f5fbf'], ['out', 'bytesOut', '#c26a00']] },
  { title: 'Queue depth', series: [['queued', 'queue', '#6b3fa0']] }
]

class Charts {
  constructor (root) {
    this.root = root
    this.points = []
    this.plots = []
  }

  reset (history) {
    this.points = history.slice()
    if (this.plots.length === 0) this.build()
    this.draw()
  }

  push (point) {
    this.points.push(point)
    if (this.points.length > 300) this.points.shift()
    this.draw()
  }

  build () {
    if (typeof globalThis.uPlot !== 'function') return
    for (const chart of CHARTS) {
      const box = document.createElement('div')
      box.className = 'chart'
      box.dataset.chart = chart.title
      const h = document.createElement('h3')
      h.textContent = chart.title
      box.append(h)
      this.root.append(box)
      const width = Math.max(200, Math.min(box.clientWidth || 300, 520))
      const opts = {
        width,
        height: 140,
        legend: { show: true },
        scales: { x: { time: true }, ...(chart.range ? { y: { range: chart.range } } : {}) },
        series: [{}, ...chart.series.map(([label, , stroke]) => ({ label, stroke, width: 1.5, spanGaps: true }))],
        axes: [{ size: 30 }, { size: 45 }]
      }
      this.plots.push({ chart, box, plot: new globalThis.uPlot(opts, [[], ...chart.series.map(() => [])], box) })
    }
    // Charts follow their boxes' width (a phone, a resized window).
    new ResizeObserver(() => {
      for (const { box, plot } of this.plots) {
        const width = Math.max(200, Math.min(box.clientWidth, 520))
        if (plot.width !== width) plot.setSize({ width, height: 140 })
      }
    }).observe(this.root)
  }

  draw () {
    const xs = this.points.map(p => p.t / 1000)
    for (const { chart, plot } of this.plots) plot.setData([xs, ...chart.series.map(([, key]) => this.points.map(p => p[key]))])
  }
}

class Dashboard {
  constructor () {
    this.peers = new PeerTable($('#peer-table'), { onChange: () => { text('#peer-count', this.peers.summary()) } })
    this.events = new EventsPanel()
    this.charts = new Charts($('#charts .charts'))
    this.source = undefined
    this.node = undefined
  }

  async start () {
    const session = await (await fetch('/dashboard/session')).json()
    if (!session.authenticated) { this.showLogin(); return }
    $('#login').hidden = true
    $('#app').hidden = false
    $('#logout').hidden = !session.tokenRequired
    this.events.loadRecent()
    this.connect()
  }

  showLogin () {
    $('#login').hidden = false
    $('#app').hidden = true
    $('#login-token').focus()
  }

  connect () {
    const source = new EventSource('/dashboard/feed')
    this.source = source
    const live = $('#live')
    source.addEventListener('open', () => { live.textContent = 'live'; live.className = 'badge live' })
    source.addEventListener('error', () => {
      live.textContent = 'reconnecting…'
      live.className = 'badge down'
      if (source.readyState === EventSource.CLOSED) setTimeout(() => { void this.start() }, 2000)
    })
    source.addEventListener('hello', e => {
      const data = JSON.parse(e.data)
      this.showNode(data)
      this.peers.reset(data.peers ?? [])
      this.charts.reset(data.history ?? [])
    })
    source.addEventListener('tick', e => {
      const data = JSON.parse(e.data)
      this.showNode(data)
      this.peers.apply(data.peers, data.removed)
      this.charts.push(data.point)
    })
    source.addEventListener('event', e => { this.events.add(JSON.parse(e.data)) })
  }

  showNode ({ node, stats }) {
    if (node === undefined || stats === undefined) return
    this.node = node
    text('#peer-id', node.peerId)
    const c = node.connectivity
    text('#connectivity', c === undefined ? 'unknown' : String(c.state ?? '').replace('CONNECTIVITY_STATE_', '').toLowerCase())
    text('#health', stats.healthScore < 0 ? 'n/a' : String(stats.healthScore))
    text('#nat', node.natType)
    text('#reachability', node.reachability)
    text('#uptime', duration(Number(node.uptimeMs)))
    text('#version', node.version)
    text('#connected-count', `${stats.connectedPeers} (${stats.inboundConnections} in, ${stats.outboundConnections} out)`)
    text('#tx-published', String(stats.gossip?.published ?? 0))
    text('#tx-received', String(stats.gossip?.delivered ?? 0))
    text('#queue-depth', String(stats.queue?.depth ?? 0))
    const list = $('#addresses')
    const addrs = (node.addresses?.length ? node.addresses : node.listenAddresses) ?? []
    if (list.dataset.key !== addrs.join(' ')) {
      list.dataset.key = addrs.join(' ')
      list.replaceChildren(...addrs.map(a => { const li = document.createElement('li'); li.textContent = a; return li }))
    }
    $('#uptime').title = `started ${ago(Date.now() - Number(node.uptimeMs))}`
  }
}

const dashboard = new Dashboard()
$('#copy-id').addEventListener('click', async () => {
  const id = $('#peer-id').textContent
  try { await navigator.clipboard.writeText(id); text('#copy-id', 'Copied') } catch { text('#copy-id', 'Select and copy') }
  setTimeout(() => { text('#copy-id', 'Copy') }, 1500)
})
$('#login-form').addEventListener('submit', async e => {
  e.preventDefault()
  const res = await fetch('/dashboard/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: $('#login-token').value }) })
  if (!res.ok) { text('#login-error', (await res.json()).detail ?? 'login failed'); return }
  $('#login-token').value = ''
  text('#login-error', '')
  await dashboard.start()
})
$('#logout').addEventListener('click', async () => {
  dashboard.source?.close()
  await api('POST', '/dashboard/logout')
  dashboard.showLogin()
})
globalThis.sorchaDashboard = dashboard
void dashboard.start()
