/**
 * The pieces around the connectivity core, without libp2p: the connection gater (suspended refuses
 * every step; merged with the ban rules, any denial wins), the service before start, and the
 * gateway's watch of changes (bounded) and its answer for a stopped service.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { ConnectionGater } from '@libp2p/interface'
import { MemoryConnectivity, resumePart, suspendPart, watchPart, WATCH_QUEUE_MAX_ITEMS } from '../../../src/gateway/connectivity.ts'
import { connectivityGater, mergeGaters } from '../../../src/queue/connectivity-gater.ts'
import { ConnectivityService } from '../../../src/queue/connectivity-service.ts'

const DENY = ['denyDialPeer', 'denyDialMultiaddr', 'denyInboundConnection', 'denyOutboundConnection', 'denyInboundEncryptedConnection',
  'denyOutboundEncryptedConnection', 'denyInboundUpgradedConnection', 'denyOutboundUpgradedConnection'] as const

describe('connectivity gater', () => {
  it('denies every step of every connection while the source refuses, nothing otherwise or before the source exists', async () => {
    const source = { refusesConnections: false }
    let exists = false
    const gater = connectivityGater(() => exists ? source : undefined)
    const call = async (name: typeof DENY[number]): Promise<boolean> => (gater[name] as (...a: unknown[]) => boolean | Promise<boolean>)()
    for (const name of DENY) assert.equal(await call(name), false, `${name} before the service exists`)
    exists = true
    for (const name of DENY) assert.equal(await call(name), false, `${name} while not suspended`)
    source.refusesConnections = true
    for (const name of DENY) assert.equal(await call(name), true, `${name} while suspended`)
  })

  it('merged: a step is denied when any gater denies it; filters must all pass', async () => {
    const bans: ConnectionGater = { denyDialPeer: peer => String(peer) === 'banned', filterMultiaddrForPeer: async () => true }
    const offline = { refusesConnections: false }
    const merged = mergeGaters(bans, connectivityGater(offline))
    const dial = async (peer: string): Promise<boolean> => merged.denyDialPeer!(peer as never)
    assert.equal(await dial('ok'), false)
    assert.equal(await dial('banned'), true)
    assert.equal(await merged.denyInboundConnection!({} as never), false)
    offline.refusesConnections = true
    assert.equal(await dial('ok'), true)
    assert.equal(await merged.denyInboundConnection!({} as never), true)
    assert.equal(await merged.filterMultiaddrForPeer!({} as never, {} as never), true)
    const strict = mergeGaters(bans, { filterMultiaddrForPeer: () => false })
    assert.equal(await strict.filterMultiaddrForPeer!({} as never, {} as never), false)
  })
})

describe('connectivity service and gateway parts', () => {
  const components = {
    connectionManager: { getConnections: () => [] },
    events: new EventTarget() as never
  }

  it('a service that is not running refuses suspend and resume (ConnectivityNotStartedError), which the API answers UNAVAILABLE', async () => {
    const service = new ConnectivityService(components)
    await assert.rejects(service.suspend('x'), { name: 'ConnectivityNotStartedError' })
    await assert.rejects(service.resume(), { name: 'ConnectivityNotStartedError' })
    await assert.rejects(suspendPart(service, ''), (err: Error & { reason?: string }) => err.name === 'UnavailableError' && err.reason === 'connectivity_stopped' && err.message === 'the node is not running')
    await assert.rejects(resumePart(service), { name: 'UnavailableError' })
    assert.equal(service.refusesConnections, false)
  })

  it('a started service with nothing to dial is offline; suspend refuses connections, resume and stop undo it', async () => {
    const updates: boolean[] = []
    const service = new ConnectivityService(components, { minConnections: 2, probes: { update: c => { updates.push(c.suspended) } } })
    await service.start()
    assert.deepEqual(service.status(), { state: 'offline', reason: 'node_started', sinceMs: service.sinceMs, note: '', connectedPeers: 0, minConnections: 2 })
    const suspended = await service.suspend('  why\tnot ')
    assert.deepEqual([suspended.state, suspended.note, service.refusesConnections, service.usable], ['suspended', 'why not', true, false])
    await service.resume()
    assert.deepEqual([service.state, service.reason, service.refusesConnections], ['offline', 'operator_resume', false])
    assert.deepEqual(updates, [true, false])
    await service.suspend()
    await service.stop()
    await service.stop()
    await assert.rejects(service.suspend(), { name: 'ConnectivityNotStartedError' })
    // Without storage the suspension ends with the run; the next start undoes it everywhere.
    await service.start()
    assert.deepEqual([service.state, service.reason, service.refusesConnections], ['offline', 'node_started', false])
    assert.deepEqual(updates, [true, false, true, false])
    await service.stop()
  })

  it('a watch yields the status, then each change; one that falls too far behind ends with RESOURCE_EXHAUSTED watcher_too_slow', async () => {
    const part = new MemoryConnectivity(1000)
    const controller = new AbortController()
    const watch = watchPart(part, { signal: controller.signal })[Symbol.asyncIterator]()
    const first = await watch.next()
    assert.deepEqual(first.value, { kind: 'status', status: part.status() })
    await part.suspend('a')
    assert.equal((await watch.next()).value?.kind, 'change')
    for (let i = 0; i <= WATCH_QUEUE_MAX_ITEMS; i++) await (i % 2 === 0 ? part.resume() : part.suspend())
    await assert.rejects(async () => { for (;;) if ((await watch.next()).done === true) return }, (err: Error & { reason?: string }) =>
      err.name === 'ResourceExhaustedError' && err.reason === 'watcher_too_slow' && err.message === `the watcher fell more than ${WATCH_QUEUE_MAX_ITEMS} changes behind; watch again`)
    const other = watchPart(part, { signal: controller.signal })[Symbol.asyncIterator]()
    await other.next()
    controller.abort()
    assert.equal((await other.next()).done, true, 'the watch ends when its signal fires')
  })
})
