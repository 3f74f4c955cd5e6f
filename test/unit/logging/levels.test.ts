/** Run-time log levels (src/logging/levels.ts): global and per subsystem, followed by loggers made before the change. */
import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { afterEach, describe, it } from 'node:test'
import { configureLogging, logger, logLevels, setLogLevel } from '../../../src/logging/index.ts'
import { effectiveLevel, resetAllSubsystemLevels } from '../../../src/logging/levels.ts'

function capture (): { lines: Array<{ name?: string, msg: string, level: number }>, destination: Writable } {
  const lines: Array<{ name?: string, msg: string, level: number }> = []
  const destination = new Writable({ write (chunk: Buffer, _enc, done) { for (const l of chunk.toString().split('\n')) if (l !== '') lines.push(JSON.parse(l)); done() } })
  return { lines, destination }
}

describe('run-time log levels', () => {
  afterEach(() => { resetAllSubsystemLevels(); configureLogging({ level: 'silent', format: 'json', destination: capture().destination }) })

  it('a global change reaches loggers (and their children) made before it', () => {
    const { lines, destination } = capture()
    configureLogging({ level: 'info', format: 'json', destination })
    const gossip = logger('sorcha:gossip')
    const child = gossip.child({ peer: 'x' })
    gossip.debug('before')
    child.debug('before')
    assert.equal(lines.length, 0)
    setLogLevel('debug')
    gossip.debug('after')
    child.debug('after child')
    assert.deepEqual(lines.map(l => l.msg), ['after', 'after child'])
    assert.equal(logLevels().global, 'debug')
  })

  it('configureLogging starts subsystems at their own levels (log.subsystemLevels) and a new configuration replaces them', () => {
    const { lines, destination } = capture()
    configureLogging({ level: 'warn', format: 'json', destination, subsystemLevels: ['sorcha:gossip=debug', 'sorcha:gossip:store=error'] })
    for (const name of ['sorcha:gossip', 'sorcha:gossip:store', 'sorcha:nat'] as const) logger(name).info(name)
    assert.deepEqual(lines.map(l => l.msg), ['sorcha:gossip'])
    assert.deepEqual(logLevels(), { global: 'warn', subsystems: { 'sorcha:gossip': 'debug', 'sorcha:gossip:store': 'error' } })
    configureLogging({ level: 'info', format: 'json', destination })
    assert.deepEqual(logLevels(), { global: 'info', subsystems: {} })
  })

  it('a subsystem level applies to it and the subsystems below it, not to others; default removes it', () => {
    const { lines, destination } = capture()
    configureLogging({ level: 'info', format: 'json', destination })
    const gossip = logger('sorcha:gossip')
    const store = logger('sorcha:gossip:store')
    const nat = logger('sorcha:nat')
    setLogLevel('debug', 'sorcha:gossip')
    const later = logger('sorcha:gossip:queue')
    for (const log of [gossip, store, nat, later]) log.debug('d')
    assert.deepEqual(lines.map(l => l.name), ['sorcha:gossip', 'sorcha:gossip:store', 'sorcha:gossip:queue'])
    assert.deepEqual(logLevels().subsystems, { 'sorcha:gossip': 'debug' })
    setLogLevel('error', 'sorcha:gossip:store')
    assert.equal(effectiveLevel('sorcha:gossip:store'), 'error')
    assert.equal(effectiveLevel('sorcha:gossip:store:x'), 'error')
    assert.equal(effectiveLevel('sorcha:gossip:queue'), 'debug')
    assert.equal(effectiveLevel('sorcha:gossipx'), 'info', 'a prefix counts only at a ":" boundary')
    lines.length = 0
    store.warn('w')
    assert.equal(lines.length, 0)
    setLogLevel('default', 'sorcha:gossip')
    gossip.debug('d')
    nat.info('i')
    assert.deepEqual(lines.map(l => l.name), ['sorcha:nat'])
    // The global level still moves loggers without an override of their own.
    setLogLevel('warn')
    assert.equal(gossip.level, 'warn')
    assert.equal(store.level, 'error')
  })

  it('refuses an unknown level or a malformed subsystem by name', () => {
    assert.throws(() => { setLogLevel('verbose') }, { name: 'InvalidLogLevelError' })
    assert.throws(() => { setLogLevel('debug', 'gossip') }, { name: 'InvalidSubsystemError' })
    assert.throws(() => { setLogLevel('debug', 'sorcha:Gossip') }, { name: 'InvalidSubsystemError' })
    assert.throws(() => { setLogLevel('default') }, { name: 'InvalidLogLevelError' })
  })

  it('loggers made before logging is configured stay silent', async () => {
    const { lines, destination } = capture()
    const early = logger('sorcha:early')
    configureLogging({ level: 'debug', format: 'json', destination })
    setLogLevel('trace', 'sorcha:early')
    assert.equal(early.level, 'silent')
    logger('sorcha:early').trace('t')
    assert.equal(lines.length, 1)
  })
})
