import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { describe, it } from 'node:test'
import { StreamStateError } from '@libp2p/interface'
import { isYamuxClosedWrite, YAMUX_RACE_MSG } from '../../../src/node/library-races.ts'
import { assertInGuide } from '../../helpers/troubleshooting.ts'

const MODULE = new URL('../../../src/node/library-races.ts', import.meta.url).href

/** The error as @libp2p/yamux 8.0.3 throws it from its SYN microtask (the stack the failure campaign logged). */
function yamuxError (): StreamStateError {
  const err = new StreamStateError('Cannot write to a stream that is closed')
  err.stack = [
    'StreamStateError: Cannot write to a stream that is closed',
    '    at EncryptedMessageStream.send (file:///app/node_modules/@libp2p/utils/dist/src/abstract-message-stream.js:175:19)',
    '    at YamuxMuxer.sendFrame (file:///app/node_modules/@libp2p/yamux/dist/src/muxer.js:401:21)',
    '    at YamuxStream.sendWindowUpdate (file:///app/node_modules/@libp2p/yamux/dist/src/stream.js:245:14)',
    '    at file:///app/node_modules/@libp2p/yamux/dist/src/muxer.js:127:20'
  ].join('\n')
  return err
}

/** Runs a real process that installs the guard and throws `what` from a microtask, as the race does. */
function throwInChild (what: 'yamux' | 'other-stream-state' | 'plain'): { status: number | null, stdout: string, stderr: string } {
  const script = `
    import { guardLibraryRaces } from ${JSON.stringify(MODULE)}
    import { StreamStateError } from '@libp2p/interface'
    guardLibraryRaces({ warn: (_o, msg) => { process.stdout.write('WARN ' + msg + '\\n') } })
    let err
    if (${JSON.stringify(what)} === 'plain') err = new Error('boom')
    else {
      err = new StreamStateError('Cannot write to a stream that is closed')
      if (${JSON.stringify(what)} === 'yamux') err.stack += '\\n    at YamuxStream.sendWindowUpdate (file:///x/node_modules/@libp2p/yamux/dist/src/stream.js:245:14)'
    }
    queueMicrotask(() => { throw err })
    setTimeout(() => { process.stdout.write('still running\\n'); process.exit(0) }, 50)
  `
  const res = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', cwd: new URL('../../../', import.meta.url).pathname, timeout: 60_000 })
  return { status: res.status, stdout: res.stdout, stderr: res.stderr }
}

describe('the guard against @libp2p/yamux writing on a closed transport', () => {
  it('recognises only a StreamStateError thrown inside @libp2p/yamux', () => {
    assert.equal(isYamuxClosedWrite(yamuxError()), true)
    const elsewhere = new StreamStateError('Cannot write to a stream that is closed')
    assert.equal(isYamuxClosedWrite(elsewhere), false, 'the same error from our own code is a bug to surface')
    const other = new Error('Cannot write to a stream that is closed')
    other.stack = yamuxError().stack
    assert.equal(isYamuxClosedWrite(other), false, 'another error class')
    assert.equal(isYamuxClosedWrite('StreamStateError'), false)
    assert.equal(isYamuxClosedWrite(undefined), false)
  })

  it('keeps a real process running through the race, with one warning', () => {
    const { status, stdout } = throwInChild('yamux')
    assert.equal(status, 0, stdout)
    assert.deepEqual(stdout.trim().split('\n'), [`WARN ${YAMUX_RACE_MSG}`, 'still running'])
    assertInGuide('yamux-race', stdout.replace(/^WARN /gm, ''))
  })

  it('ends the process as Node does for any other uncaught exception: stack on stderr, exit code 1', () => {
    for (const what of ['plain', 'other-stream-state'] as const) {
      const { status, stdout, stderr } = throwInChild(what)
      assert.equal(status, 1, `${what}: ${stderr}`)
      assert.equal(stdout, '', `${what}: never reached the timer`)
      assert.match(stderr, what === 'plain' ? /Error: boom\n\s+at / : /StreamStateError: Cannot write to a stream that is closed\n\s+at /)
    }
  })
})
