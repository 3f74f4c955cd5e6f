/**
 * The dashboard in a real browser (Debian's chromium driven by playwright-core, no browser download):
 * three real nodes; node 1's page lists the other two, follows a transaction submitted on node 3
 * (counters, chart, event log, trail) without a reload, bans a peer, shows a stopped node go away
 * live, has no console errors, needs the token, and reads at 1280x800 and at phone size.
 * Screenshots of each step go to test-artifacts/dashboard/ (git-ignored).
 */
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import type { GatewayService } from '../../src/gateway/index.ts'
import { makeLoginCode, loginPath } from '../../src/dashboard/auth.ts'
import { BAD_LOGIN_LINK, BAD_LOGIN_TOKEN } from '../../src/dashboard/routes.ts'
import { startNetwork, type TestNetwork } from '../../src/harness/index.ts'
import type { SorchaNode } from '../../src/node/sorcha-node.ts'
import { requires } from '../helpers/requires.ts'
import { rest } from '../helpers/admin-clients.ts'
import { ARTIFACTS, launchChromium, watchConsole, eventually } from './browser.ts'

const missing = requires({ tools: ['chromium'] })
const TOKEN = 'dashboard-test-token-0123456789abcdef'
const GATEWAY = { enabled: true, grpc: { port: 0 }, rest: { port: 0 }, rateLimit: { perSecond: 0 } }
const restUrl = (node: SorchaNode): string => (node.libp2p.services as unknown as { gateway: GatewayService }).gateway.current!.restUrl

describe('the dashboard in chromium, on three real nodes', { skip: missing }, () => {
  let net: TestNetwork
  let n1: SorchaNode
  let n2: SorchaNode
  let n3: SorchaNode
  let browser: Browser
  let context: BrowserContext
  let page: Page
  let errors: string[]
  let base: string
  const shot = async (p: Page, name: string): Promise<void> => { await p.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true }) }
  const row = (p: Page, node: SorchaNode): ReturnType<Page['locator']> => p.locator(`#peer-table tbody tr[data-id="${node.peerId.toString()}"]`)

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true })
    net = await startNetwork({ nodes: 3, config: { connections: { min: 2 }, gateway: GATEWAY }, configFor: i => i === 0 ? { gateway: { ...GATEWAY, token: TOKEN } } : {} })
    ;[n1, n2, n3] = net.nodes as [SorchaNode, SorchaNode, SorchaNode]
    base = restUrl(n1)
    await eventually('node 1 is connected to nodes 2 and 3', () => n1.libp2p.getConnections(n2.peerId).length > 0 && n1.libp2p.getConnections(n3.peerId).length > 0)
    browser = await launchChromium()
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
    context.setDefaultTimeout(120_000)
    page = await context.newPage()
    errors = watchConsole(page)
  })
  after(async () => { await browser?.close(); await net?.stop() })

  it('needs the token: a login form, no data, refused feed and API; wrong token and bad links are told so', async () => {
    const anon = await browser.newPage()
    anon.setDefaultTimeout(120_000)
    await anon.goto(`${base}/dashboard`)
    await anon.locator('#login').waitFor({ state: 'visible' })
    assert.equal(await anon.locator('#app').isHidden(), true)
    assert.equal((await fetch(`${base}/dashboard/feed`)).status, 401)
    assert.equal((await rest(base, 'GET', '/v1/admin/peers')).status, 401)
    // The cookie alone is not enough for the API (the page's header is needed): nothing is logged in yet anyway.
    await anon.fill('#login-token', 'not the token')
    await anon.press('#login-token', 'Enter')
    await eventually('the login error shows', async () => (await anon.textContent('#login-error')) === BAD_LOGIN_TOKEN)
    await shot(anon, '01-login-required')
    const bad = await anon.goto(`${base}/dashboard/login?code=abc.def.ghi`)
    assert.equal(bad?.status(), 401)
    assert.equal(await anon.textContent('#login-error'), BAD_LOGIN_LINK)
    await anon.close()
  })

  it('logs in with a one-time link, which works once', async () => {
    const link = `${base}${loginPath(makeLoginCode(TOKEN))}`
    await page.goto(link)
    assert.equal(new URL(page.url()).pathname, '/dashboard')
    await page.locator('#app').waitFor({ state: 'visible' })
    await eventually('the feed is live', async () => (await page.textContent('#live')) === 'live')
    assert.equal(await page.textContent('#peer-id'), n1.peerId.toString())
    const again = await (await browser.newPage()).goto(link)
    assert.equal(again?.status(), 401)
  })

  it('lists the two other nodes with their status', async () => {
    for (const node of [n2, n3]) {
      await row(page, node).waitFor()
      await eventually(`${node.peerId.toString()} shows connected`, async () => (await row(page, node).getAttribute('class')) === 'up')
    }
    const statuses = await Promise.all([n2, n3].map(async node => row(page, node).getAttribute('data-status')))
    for (const s of statuses) assert.ok(['healthy', 'connecting', 'unknown', 'degraded', 'connected'].includes(s ?? ''), String(s))
    await shot(page, '02-peers')
  })

  it('follows a transaction submitted on node 3 without a reload: counters, chart, event log, trail', async () => {
    await page.evaluate(() => { (globalThis as unknown as { notReloaded: boolean }).notReloaded = true })
    const before = Number(await page.textContent('#tx-received'))
    const submitted = await rest<{ txId: string }>(restUrl(n3), 'POST', '/v1/transactions', { registerId: 'dashboard-test', payload: Buffer.from(`seen live ${Date.now()}`).toString('base64') })
    assert.equal(submitted.status, 201)
    const txId = submitted.body.txId
    await eventually('the received counter went up', async () => Number(await page.textContent('#tx-received')) > before)
    await eventually('the chart drew a point with transactions in', async () => page.evaluate(() =>
      (globalThis as unknown as { sorchaDashboard: { charts: { points: Array<{ txIn: number }> } } }).sorchaDashboard.charts.points.some(p => p.txIn > 0)))
    await page.locator(`#event-list li[data-type="tx_received"]`, { hasText: txId.slice(-6) }).first().waitFor()
    await page.fill('#tx-id', txId)
    await page.click('#tx-search button[type=submit]')
    await page.locator('#tx-result li', { hasText: 'received from' }).waitFor()
    assert.equal(await page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded), true)
    await shot(page, '03-transaction')
  })

  it('shows which peers hold a transaction node 1 published (its propagation)', async () => {
    const submitted = await rest<{ txId: string }>(base, 'POST', '/v1/transactions', { registerId: 'dashboard-test', payload: Buffer.from(`from node 1 ${Date.now()}`).toString('base64') }, TOKEN)
    assert.equal(submitted.status, 201)
    const item = page.locator(`#published-list li[data-tx="${submitted.body.txId}"]`)
    await item.waitFor()
    await eventually('a peer confirmed holding it', async () => /held by /.test(await item.textContent() ?? ''))
    await item.locator('button').click()
    const holders = await page.locator('#tx-result li', { hasText: 'held by' }).textContent()
    assert.ok([n2, n3].some(n => holders?.includes(n.peerId.toString())), holders ?? '')
    await shot(page, '04-published')
  })

  it('bans a peer from the page: banned through the admin API and in the table', async () => {
    await row(page, n2).locator('button[data-action=ban]').click()
    await page.fill('#confirm-reason', 'dashboard test')
    await page.click('#confirm-ok')
    await eventually('the row shows banned', async () => (await row(page, n2).getAttribute('data-status')) === 'banned')
    const peer = await rest<{ peer: { status: string, banReason: string } }>(base, 'GET', `/v1/peers/${n2.peerId.toString()}`, undefined, TOKEN)
    assert.equal(peer.body.peer.status, 'PEER_STATUS_BANNED')
    assert.equal(peer.body.peer.banReason, 'dashboard test')
    await shot(page, '05-banned')
  })

  it('is usable by keyboard alone: sort, filter, unban with Tab and Enter', async () => {
    const tabTo = async (p: Page, selector: string): Promise<void> => {
      for (let i = 0; i < 200; i++) {
        await p.keyboard.press('Tab')
        if (await p.evaluate(`document.activeElement?.matches(${JSON.stringify(selector)}) === true`)) return
      }
      assert.fail(`Tab never reached ${selector}`)
    }
    await page.locator('body').click({ position: { x: 1, y: 1 } })
    await tabTo(page, 'th button[data-sort=id]')
    await page.keyboard.press('Enter')
    assert.equal(await page.getAttribute('th:has(button[data-sort=id])', 'aria-sort'), 'ascending')
    await tabTo(page, '#peer-status')
    await page.keyboard.press('Shift+Tab')
    await page.keyboard.type(n2.peerId.toString().slice(-10))
    await eventually('the filter leaves one row', async () => (await page.locator('#peer-table tbody tr').count()) === 1)
    await tabTo(page, `tr[data-id="${n2.peerId.toString()}"] button[data-action=unban]`)
    await page.keyboard.press('Enter')
    await page.locator('#confirm[open]').waitFor()
    await page.keyboard.press('Enter')
    await eventually('the row is no longer banned', async () => (await row(page, n2).getAttribute('data-status')) !== 'banned')
    const peer = await rest<{ peer: { status: string } }>(base, 'GET', `/v1/peers/${n2.peerId.toString()}`, undefined, TOKEN)
    assert.notEqual(peer.body.peer.status, 'PEER_STATUS_BANNED')
    await page.fill('#peer-filter', '')
  })

  it('shows a stopped node go away live', async () => {
    await n3.stop()
    await eventually('node 3 no longer shows connected', async () => (await row(page, n3).getAttribute('class')) !== 'up')
    await shot(page, '06-node-stopped')
  })

  it('reads at phone size (no sideways scrolling) and logged no console errors', async () => {
    await page.setViewportSize({ width: 390, height: 844 })
    const fits = 'document.documentElement.scrollWidth <= document.documentElement.clientWidth'
    await eventually('the layout settles', async () => page.evaluate(fits) as Promise<boolean>, 10_000).catch(async err => {
      const wide = await page.evaluate('[...document.querySelectorAll("body *")].filter(e => !e.closest(".table-wrap") && e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).slice(0, 8).map(e => e.tagName + "#" + e.id + "." + e.className + ":" + Math.round(e.getBoundingClientRect().right)).join(", ") + " scrollWidth " + document.documentElement.scrollWidth + " overflowing: " + [...document.querySelectorAll("body, body *")].filter(e => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === "visible").slice(0, 8).map(e => e.tagName + "#" + e.id + "." + e.className + ":" + e.scrollWidth + "/" + e.clientWidth).join(", ")')
      throw new Error(`${(err as Error).message}: too wide: ${String(wide)}`)
    })
    await shot(page, '07-phone')
    await page.setViewportSize({ width: 1280, height: 800 })
    assert.deepEqual(errors, [])
  })
})
