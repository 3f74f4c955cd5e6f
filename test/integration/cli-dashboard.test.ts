/**
 * `sorcha-peer dashboard` as a real process against a real node: it prints the page's URL and a
 * one-time login link that the node accepts once (session cookie -> the live feed), and says clearly
 * when it has no token or a bad --rest URL.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { GatewayService } from '../../src/gateway/index.ts'
import { BAD_REST_URL } from '../../src/cli/commands/dashboard.ts'
import { BAD_LOGIN_LINK } from '../../src/dashboard/routes.ts'
import { startNetwork, type TestNetwork } from '../../src/harness/index.ts'
import type { SorchaNode } from '../../src/node/sorcha-node.ts'
import { cli } from '../helpers/cli.ts'

const TOKEN = 'cli-dashboard-token-0123456789'

describe('sorcha-peer dashboard', () => {
  let net: TestNetwork
  let base: string
  before(async () => {
    net = await startNetwork({ nodes: 1, config: { gateway: { enabled: true, grpc: { port: 0 }, rest: { port: 0 }, token: TOKEN } } })
    base = ((net.nodes[0] as SorchaNode).libp2p.services as unknown as { gateway: GatewayService }).gateway.current!.restUrl
  })
  after(async () => { await net?.stop() })

  it('prints the URL and a login link that works once and opens the live feed', async () => {
    const run = await cli(['dashboard', '--rest', base], { env: { SORCHA_GATEWAY_TOKEN: TOKEN } })
    assert.equal(run.code, 0, run.stderr)
    const [first, second] = run.stdout.trim().split('\n')
    assert.equal(first, `dashboard: ${base}/dashboard`)
    const link = second?.match(/^login link \(works once, for 5 minutes\): (\S+)$/)?.[1] ?? ''
    assert.ok(link?.startsWith(`${base}/dashboard/login?code=`), second)
    const login = await fetch(link, { redirect: 'manual' })
    assert.equal(login.status, 303)
    assert.equal(login.headers.get('location'), '/dashboard')
    const cookie = login.headers.get('set-cookie') ?? ''
    assert.match(cookie, /^sorcha_dashboard=[\w-]+; Path=\/; HttpOnly; SameSite=Strict/)
    const controller = new AbortController()
    const feed = await fetch(`${base}/dashboard/feed`, { headers: { cookie: cookie.split(';')[0]! }, signal: controller.signal })
    assert.equal(feed.status, 200)
    assert.match(feed.headers.get('content-type') ?? '', /^text\/event-stream/)
    controller.abort()
    // The cookie opens the API only with the page's header (a cross-site form cannot send it).
    assert.equal((await fetch(`${base}/v1/admin/stats`, { headers: { cookie: cookie.split(';')[0]! } })).status, 401)
    assert.equal((await fetch(`${base}/v1/admin/stats`, { headers: { cookie: cookie.split(';')[0]!, 'x-sorcha-dashboard': '1' } })).status, 200)
    const again = await fetch(link, { redirect: 'manual' })
    assert.equal(again.status, 401)
    assert.match(await again.text(), new RegExp(BAD_LOGIN_LINK.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
  })

  it('says so when no token is given, and refuses a --rest that is not a URL', async () => {
    const run = await cli(['dashboard', '--rest', base], { env: { SORCHA_GATEWAY_TOKEN: '' } })
    assert.equal(run.code, 0, run.stderr)
    assert.match(run.stdout, /^dashboard: http:\/\/127\.0\.0\.1:\d+\/dashboard\nno API token given: /)
    const bad = await cli(['dashboard', '--rest', 'ftp://example'])
    assert.equal(bad.code, 2)
    assert.ok(bad.stderr.includes(`error: option '--rest <url>' argument 'ftp://example' is invalid. ${BAD_REST_URL}`), bad.stderr)
  })
})
