// The peer table: every known peer and every connected one, sortable by any column, filterable by
// text and status, with connect, disconnect, ban and unban (each confirmed in the dialog).
import { api, ago, confirmAction, short, text, $ } from './panels.js'

const NUMERIC = new Set(['lat', 'score', 'seen'])
const MAX_ROWS = 1000

export class PeerTable {
  constructor (table, { onChange }) {
    this.table = table
    this.body = table.querySelector('tbody')
    this.rows = new Map()
    this.sort = { key: 'score', dir: -1 }
    this.onChange = onChange
    this.pending = false
    for (const button of table.querySelectorAll('th button')) {
      button.addEventListener('click', () => { this.sortBy(button.dataset.sort) })
    }
    $('#peer-filter').addEventListener('input', () => { this.render() })
    $('#peer-status').addEventListener('change', () => { this.render() })
    this.body.addEventListener('click', e => {
      const button = e.target.closest('button[data-action]')
      if (button !== null) void this.act(button.dataset.action, button.closest('tr').dataset.id)
    })
  }

  reset (rows) {
    this.rows = new Map(rows.map(r => [r.id, r]))
    this.render()
  }

  apply (changed = [], removed = []) {
    if (changed.length === 0 && removed.length === 0) return
    for (const r of changed) this.rows.set(r.id, r)
    for (const id of removed) this.rows.delete(id)
    this.render()
  }

  summary () {
    let up = 0
    for (const r of this.rows.values()) if (r.up) up++
    return `(${up} connected, ${this.rows.size} known)`
  }

  sortBy (key) {
    this.sort = { key, dir: this.sort.key === key ? -this.sort.dir : (NUMERIC.has(key) ? -1 : 1) }
    for (const th of this.table.querySelectorAll('th[aria-sort]')) {
      th.setAttribute('aria-sort', th.querySelector('button').dataset.sort === key ? (this.sort.dir > 0 ? 'ascending' : 'descending') : 'none')
    }
    this.render()
  }

  visible () {
    const needle = $('#peer-filter').value.trim().toLowerCase()
    const status = $('#peer-status').value
    const { key, dir } = this.sort
    return [...this.rows.values()]
      .filter(r => status === '' || (status === 'connected-now' ? r.up : r.status === status))
      .filter(r => needle === '' || r.id.toLowerCase().includes(needle) || r.status.includes(needle) || r.protos.some(p => p.includes(needle)) || r.regs.some(g => g.toLowerCase().includes(needle)))
      .sort((a, b) => {
        const x = a[key]
        const y = b[key]
        const c = NUMERIC.has(key) ? x - y : String(x).localeCompare(String(y))
        return c === 0 ? a.id.localeCompare(b.id) : c * dir
      })
  }

  render () {
    const focused = document.activeElement?.closest?.('tbody tr')
    const focus = focused ? { id: focused.dataset.id, action: document.activeElement.dataset.action } : undefined
    const rows = this.visible()
    const shown = rows.slice(0, MAX_ROWS)
    this.body.replaceChildren(...shown.map(r => this.rowElement(r)))
    text('#peer-more', rows.length > shown.length ? `showing ${shown.length} of ${rows.length}: filter to narrow` : '')
    if (focus !== undefined) this.body.querySelector(`tr[data-id="${CSS.escape(focus.id)}"] button[data-action="${focus.action}"]`)?.focus()
    this.onChange()
  }

  rowElement (r) {
    const tr = document.createElement('tr')
    tr.dataset.id = r.id
    tr.dataset.status = r.status
    if (r.up) tr.className = 'up'
    const cells = [
      [short(r.id), r.id],
      [r.status + (r.ban ? ` (${r.ban.reason})` : ''), r.ban ? `banned ${r.ban.untilMs > 0 ? `until ${new Date(r.ban.untilMs).toISOString()}` : 'indefinitely'}: ${r.ban.reason}` : ''],
      [r.dir || '–'],
      [r.lat > 0 ? `${r.lat} ms` : '–'],
      [r.score < 0 ? '–' : String(r.score)],
      [r.up ? 'now' : ago(r.seen)],
      [r.regs[0] === '*' ? 'all' : r.regs.length === 0 ? '–' : r.regs.join(' ')],
      [r.protos.join(' ')]
    ]
    for (const [i, [value, title]] of cells.entries()) {
      const td = document.createElement('td')
      td.textContent = value
      if (title) td.title = title
      if (i === 1) td.className = `status-${r.status}`
      if (i === 6 || i === 7) td.className = 'protos'
      tr.append(td)
    }
    const actions = document.createElement('td')
    actions.className = 'actions'
    const buttons = r.status === 'banned' ? ['unban'] : [r.up ? 'disconnect' : 'connect', 'ban']
    for (const action of buttons) {
      const b = document.createElement('button')
      b.type = 'button'
      b.dataset.action = action
      b.textContent = action[0].toUpperCase() + action.slice(1)
      b.setAttribute('aria-label', `${action} ${r.id}`)
      actions.append(b)
    }
    tr.append(actions)
    return tr
  }

  async act (action, id) {
    const row = this.rows.get(id)
    if (row === undefined) return
    const path = `/v1/admin/peers/${encodeURIComponent(id)}`
    if (action === 'ban') {
      await confirmAction(`Ban ${id}? Its connections close and it stays refused until unbanned.`, true, reason => api('POST', `${path}/ban`, { reason }))
    } else if (action === 'unban') {
      await confirmAction(`Lift the ban on ${id}?`, false, () => api('POST', `${path}/unban`))
    } else if (action === 'disconnect') {
      await confirmAction(`Close every connection to ${id}? It may come back: ban it to keep it away.`, false, () => api('POST', `${path}/disconnect`))
    } else if (action === 'connect') {
      const peer = await api('GET', `/v1/peers/${encodeURIComponent(id)}`).catch(() => undefined)
      const address = peer?.peer?.addresses?.[0] ?? peer?.addresses?.[0]
      await confirmAction(address === undefined ? `Dial ${id}? No address is known for it.` : `Dial ${id} at ${address}?`, false,
        async () => {
          if (address === undefined) throw new Error(`no address is known for ${id}`)
          await api('POST', '/v1/admin/peers/dial', { multiaddr: `${address}/p2p/${id}` })
        })
    }
  }
}
