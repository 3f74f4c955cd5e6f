// The event log panel: recent events then live ones (filter by type and peer), the search by
// transaction id that tells where a transaction went, and the list of transactions published here.
import { api, short, text, $ } from './panels.js'

const TYPES = ['peer_discovered', 'peer_connected', 'peer_disconnected', 'peer_status_changed', 'peer_score_changed',
  'peer_banned', 'peer_unbanned', 'peer_verdict', 'address_changed', 'nat_changed', 'connectivity_changed',
  'tx_published', 'tx_confirmed', 'tx_received', 'tx_fetch_failed', 'tx_recovered']
const KEEP = 500
const SHOW = 200

const time = e => new Date(Number(e.atMs)).toLocaleTimeString()
const line = e => `${time(e)} ${e.type}${e.peerId ? ` peer ${short(e.peerId)}` : ''}${e.txId ? ` tx ${short(e.txId)}` : ''}${e.reason ? ` (${e.reason})` : ''}` +
  Object.entries(e.data ?? {}).map(([k, v]) => ` ${k}=${v}`).join('')

export class EventsPanel {
  constructor () {
    this.events = []
    this.published = []
    this.confirmed = new Map()
    this.lastSeq = 0
    $('#event-type').append(...TYPES.map(t => new Option(t, t)))
    $('#event-type').addEventListener('change', () => { this.render() })
    $('#event-peer').addEventListener('input', () => { this.render() })
    $('#tx-search').addEventListener('submit', e => { e.preventDefault(); void this.trail($('#tx-id').value.trim()) })
    $('#published-list').addEventListener('click', e => {
      const button = e.target.closest('button[data-tx]')
      if (button === null) return
      $('#tx-id').value = button.dataset.tx
      void this.trail(button.dataset.tx)
    })
  }

  async loadRecent () {
    const page = await api('GET', `/v1/events?newestFirst=true&limit=${SHOW}`).catch(() => ({ events: [] }))
    const known = new Set(this.events.map(e => e.seq))
    const older = (page.events ?? []).filter(e => !known.has(e.seq)).reverse()
    this.events = [...older, ...this.events].slice(-KEEP)
    for (const e of older) this.note(e)
    this.render()
  }

  add (event) {
    if (this.events.some(e => e.seq === event.seq)) return
    this.events.push(event)
    if (this.events.length > KEEP) this.events.shift()
    this.note(event)
    this.schedule()
  }

  /** Keeps what the propagation list needs: transactions published here, and who holds them. */
  note (e) {
    if (e.type === 'tx_published') this.published.push(e)
    if (e.type === 'tx_confirmed') this.confirmed.set(e.txId, e)
  }

  /** Renders at most once per animation frame, however many events arrive. */
  schedule () {
    if (this.pending) return
    this.pending = true
    requestAnimationFrame(() => { this.pending = false; this.render() })
  }

  render () {
    const type = $('#event-type').value
    const peer = $('#event-peer').value.trim()
    const shown = this.events.filter(e => (type === '' || e.type === type) && (peer === '' || (e.peerId ?? '').includes(peer))).slice(-SHOW).reverse()
    $('#event-list').replaceChildren(...shown.map(e => {
      const li = document.createElement('li')
      li.dataset.type = e.type
      li.textContent = line(e)
      return li
    }))
    const recent = this.published.slice(-50).reverse()
    $('#published-list').replaceChildren(...recent.map(e => {
      const li = document.createElement('li')
      const b = document.createElement('button')
      b.type = 'button'
      b.dataset.tx = e.txId
      b.textContent = short(e.txId)
      b.setAttribute('aria-label', `trail of transaction ${e.txId}`)
      const held = this.confirmed.get(e.txId)
      li.dataset.tx = e.txId
      li.append(b, ` ${time(e)} ${e.data?.registerId ?? ''} ${e.data?.bytes ?? ''} B: ` +
        (held === undefined ? 'not yet confirmed by a peer' : `held by ${held.data?.holders.split(' ').map(short).join(', ')} after ${held.data?.afterMs} ms`))
      return li
    }))
  }

  /** Where a transaction went, from this node's events about it. */
  async trail (txId) {
    const out = $('#tx-result')
    if (!/^[0-9a-f]{64}$/.test(txId)) { text(out, 'a transaction id is 64 lowercase hex characters'); return }
    let page
    try {
      page = await api('GET', `/v1/events?txId=${txId}&limit=1000`)
    } catch (err) {
      text(out, err.message)
      return
    }
    const events = page.events ?? []
    if (events.length === 0) { text(out, `no event about ${short(txId)} on this node`); return }
    const facts = events.map(e => {
      if (e.type === 'tx_published') return `${time(e)}: published here (register ${e.data?.registerId}, ${e.data?.bytes} bytes, ${e.data?.state})`
      if (e.type === 'tx_confirmed') return `${time(e)}: held by ${e.data?.peers} peer(s), ${e.data?.afterMs} ms after it was queued: ${e.data?.holders}`
      if (e.type === 'tx_received') return `${time(e)}: received from ${e.peerId} after ${e.data?.hops} hop(s); ${e.data?.delivered === 'true' ? 'delivered to apps' : 'not delivered to apps (register not followed)'}`
      if (e.type === 'tx_fetch_failed') return `${time(e)}: fetching it ${e.reason === 'abandoned' ? 'was given up' : `timed out at ${e.peerId}`}`
      if (e.type === 'tx_recovered') return `${time(e)}: recovered by reconciliation`
      return line(e)
    })
    const h = document.createElement('h3')
    h.textContent = `Transaction ${txId}`
    const ul = document.createElement('ul')
    ul.append(...facts.map(f => { const li = document.createElement('li'); li.textContent = f; return li }))
    out.replaceChildren(h, ul)
  }
}
