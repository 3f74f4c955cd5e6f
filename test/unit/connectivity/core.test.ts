import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  ConnectivityCore, HISTORY_MAX, NOTE_MAX_CHARS, classify, cleanNote, isUsable,
  type ConnectivityEffect, type ConnectivityState, type ConnectivityView
} from '../../../protocols/connectivity/index.ts'

const v = (connected: number, dialable = 0): ConnectivityView => ({ connected, dialable })
const transitions = (effects: ConnectivityEffect[]): Array<[string, string, string, number]> =>
  effects.flatMap(e => e.type === 'transition' ? [[e.change.from, e.change.to, e.change.reason, e.change.atMs] as [string, string, string, number]] : [])
const kinds = (effects: ConnectivityEffect[]): string[] => effects.map(e => e.type === 'trace' ? `trace:${e.event}` : e.type)

/** A started core with min 3 connections; the node starts with `view`. */
function started (view: ConnectivityView = v(0, 1), now = 1000, minConnections = 3): ConnectivityCore {
  const core = new ConnectivityCore({ minConnections, recheckIntervalMs: 500 })
  core.handle({ type: 'start', now, view })
  return core
}

describe('connectivity core: classification', () => {
  it('online at min connected peers, degraded below, connecting or offline with none', () => {
    assert.equal(classify(v(3), 3), 'online')
    assert.equal(classify(v(9), 3), 'online')
    assert.equal(classify(v(2), 3), 'degraded')
    assert.equal(classify(v(1), 3), 'degraded')
    assert.equal(classify(v(0, 2), 3), 'connecting')
    assert.equal(classify(v(0, 0), 3), 'offline')
  })

  it('needs at least one peer to be online, whatever connections.min says', () => {
    assert.equal(classify(v(0, 0), 0), 'offline')
    assert.equal(classify(v(0, 1), 0), 'connecting')
    assert.equal(classify(v(1), 0), 'online')
    assert.equal(classify(v(1), 1), 'online')
  })

  it('reads bad counts as zero instead of failing', () => {
    assert.equal(classify(v(Number.NaN, Number.POSITIVE_INFINITY), 3), 'offline')
    assert.equal(classify(v(-4, -1), 3), 'offline')
    assert.equal(classify(v(2.9), 3), 'degraded')
  })

  it('calls online and degraded usable, nothing else', () => {
    const usable = (['offline', 'connecting', 'online', 'degraded', 'suspended'] as ConnectivityState[]).filter(isUsable)
    assert.deepEqual(usable, ['online', 'degraded'])
  })
})

describe('connectivity core: transitions', () => {
  it('starts in the state its first view means, with reason node_started', () => {
    for (const [view, state] of [[v(0, 0), 'offline'], [v(0, 2), 'connecting'], [v(1), 'degraded'], [v(5), 'online']] as const) {
      const core = new ConnectivityCore({ minConnections: 3 })
      const effects = core.handle({ type: 'start', now: 50, view })
      const snap = core.snapshot()
      assert.equal(snap.state, state)
      assert.equal(snap.reason, 'node_started')
      assert.equal(snap.sinceMs, 50, 'since is the start even without a transition')
      assert.deepEqual(transitions(effects), state === 'offline' ? [] : [['offline', state, 'node_started', 50]])
    }
  })

  it('walks connecting -> degraded -> online -> degraded -> connecting -> offline -> connecting with the cause of each step', () => {
    const core = started(v(0, 1), 0)
    assert.deepEqual(transitions(core.handle({ type: 'observe', now: 10, view: v(1) })), [['connecting', 'degraded', 'peer_connected', 10]])
    assert.deepEqual(transitions(core.handle({ type: 'observe', now: 20, view: v(2) })), [], 'still degraded: no transition')
    assert.deepEqual(transitions(core.handle({ type: 'observe', now: 30, view: v(3) })), [['degraded', 'online', 'peer_connected', 30]])
    assert.deepEqual(transitions(core.handle({ type: 'observe', now: 40, view: v(2) })), [['online', 'degraded', 'peer_disconnected', 40]])
    assert.deepEqual(transitions(core.handle({ type: 'observe', now: 50, view: v(0, 4) })), [['degraded', 'connecting', 'peer_disconnected', 50]])
    assert.deepEqual(transitions(core.handle({ type: 'observe', now: 60, view: v(0, 0) })), [['connecting', 'offline', 'nothing_to_dial', 60]])
    assert.deepEqual(transitions(core.handle({ type: 'observe', now: 70, view: v(0, 1) })), [['offline', 'connecting', 'peers_available', 70]])
    assert.deepEqual(core.snapshot(), { state: 'connecting', reason: 'peers_available', sinceMs: 70, note: '', view: v(0, 1), minConnections: 3, running: true })
  })

  it('every transition between two network states, with its reason (SPEC.md §2, §3)', () => {
    const views: Record<string, ConnectivityView> = { offline: v(0, 0), connecting: v(0, 2), degraded: v(1), online: v(3) }
    const expected: Record<string, string> = {
      'offline>connecting': 'peers_available',
      'offline>degraded': 'peer_connected',
      'offline>online': 'peer_connected',
      'connecting>offline': 'nothing_to_dial',
      'connecting>degraded': 'peer_connected',
      'connecting>online': 'peer_connected',
      'degraded>offline': 'peer_disconnected',
      'degraded>connecting': 'peer_disconnected',
      'degraded>online': 'peer_connected',
      'online>offline': 'peer_disconnected',
      'online>connecting': 'peer_disconnected',
      'online>degraded': 'peer_disconnected'
    }
    for (const [pair, reason] of Object.entries(expected)) {
      const [from, to] = pair.split('>') as [string, string]
      const core = started(views[from], 0)
      assert.equal(core.snapshot().state, from)
      assert.deepEqual(transitions(core.handle({ type: 'observe', now: 7, view: views[to]! })), [[from, to, reason, 7]], pair)
      assert.deepEqual([core.snapshot().state, core.snapshot().reason, core.snapshot().sinceMs], [to, reason, 7], pair)
    }
  })

  it('jumps straight between any two network states in one view', () => {
    const core = started(v(0, 0), 0)
    assert.deepEqual(transitions(core.handle({ type: 'observe', now: 1, view: v(4) })), [['offline', 'online', 'peer_connected', 1]])
    assert.deepEqual(transitions(core.handle({ type: 'observe', now: 2, view: v(0, 0) })), [['online', 'offline', 'peer_disconnected', 2]])
    assert.deepEqual(transitions(core.handle({ type: 'observe', now: 3, view: v(1) })), [['offline', 'degraded', 'peer_connected', 3]])
  })

  it('keeps since and reason while the state holds', () => {
    const core = started(v(5), 100)
    core.handle({ type: 'observe', now: 200, view: v(7) })
    core.handle({ type: 'observe', now: 300, view: v(4) })
    assert.equal(core.snapshot().sinceMs, 100)
    assert.equal(core.snapshot().reason, 'node_started')
  })

  it('is deterministic: the same inputs give the same effects and history', () => {
    const run = (): unknown => {
      const core = started(v(0, 1), 0)
      const out: unknown[] = []
      for (let i = 1; i <= 40; i++) out.push(core.handle({ type: 'observe', now: i * 10, view: v((i * 7) % 5, i % 3) }))
      out.push(core.handle({ type: 'suspend', now: 500, note: 'x' }), core.handle({ type: 'resume', now: 600, view: v(1) }))
      return [out, core.history(), core.snapshot()]
    }
    assert.deepEqual(run(), run())
  })
})

describe('connectivity core: suspension', () => {
  it('suspends from every state, with the operator\'s note, and asks the adapter to act first', () => {
    for (const view of [v(0, 0), v(0, 1), v(1), v(5)]) {
      const core = started(view, 0)
      const from = core.snapshot().state
      const effects = core.handle({ type: 'suspend', now: 10, note: 'maintenance window' })
      assert.deepEqual(kinds(effects), ['enter-suspension', 'transition'])
      assert.deepEqual(effects[0], { type: 'enter-suspension', suspension: { note: 'maintenance window', sinceMs: 10 } })
      assert.deepEqual(effects[1], { type: 'transition', change: { from, to: 'suspended', reason: 'operator_suspend', atMs: 10, note: 'maintenance window' } })
      assert.equal(core.snapshot().note, 'maintenance window')
    }
  })

  it('overrides every view until resume', () => {
    const core = started(v(5), 0)
    core.handle({ type: 'suspend', now: 10 })
    for (const [i, view] of [v(0, 0), v(0, 3), v(1), v(9), v(0, 0)].entries()) {
      const effects = core.handle({ type: 'observe', now: 20 + i, view })
      assert.deepEqual(kinds(effects), ['trace:observed-while-suspended'])
      assert.equal(core.snapshot().state, 'suspended')
      assert.equal(core.snapshot().sinceMs, 10)
    }
    assert.equal(core.nextWakeup(), undefined, 'no rechecks while suspended')
  })

  it('ignores a second suspend (the first note stays) and a resume when not suspended', () => {
    const core = started(v(5), 0)
    assert.deepEqual(kinds(core.handle({ type: 'resume', now: 5, view: v(5) })), ['trace:resume-ignored'])
    core.handle({ type: 'suspend', now: 10, note: 'first' })
    assert.deepEqual(kinds(core.handle({ type: 'suspend', now: 20, note: 'second' })), ['trace:suspend-ignored'])
    assert.equal(core.snapshot().note, 'first')
    assert.equal(core.snapshot().sinceMs, 10)
  })

  it('resumes into the state the view means, with reason operator_resume, and clears the note', () => {
    for (const [view, state] of [[v(0, 0), 'offline'], [v(0, 2), 'connecting'], [v(1), 'degraded'], [v(3), 'online']] as const) {
      const core = started(v(5), 0)
      core.handle({ type: 'suspend', now: 10, note: 'n' })
      const effects = core.handle({ type: 'resume', now: 20, view })
      assert.deepEqual(kinds(effects), ['leave-suspension', 'transition'])
      assert.deepEqual(transitions(effects), [['suspended', state, 'operator_resume', 20]])
      assert.deepEqual([core.snapshot().note, core.snapshot().sinceMs], ['', 20])
      assert.equal(core.nextWakeup(), 520, 'rechecks resume')
    }
  })

  it('restores a persisted suspension at start, dated from the operator\'s command', () => {
    const core = new ConnectivityCore({ minConnections: 3 })
    const effects = core.handle({ type: 'start', now: 5000, view: v(0, 3), suspension: { note: 'kept', sinceMs: 1200 } })
    assert.deepEqual(kinds(effects), ['enter-suspension', 'transition'])
    assert.deepEqual(effects[0], { type: 'enter-suspension', suspension: { note: 'kept', sinceMs: 1200 } })
    assert.deepEqual(transitions(effects), [['offline', 'suspended', 'operator_suspend', 5000]])
    assert.deepEqual([core.snapshot().state, core.snapshot().sinceMs, core.snapshot().note], ['suspended', 1200, 'kept'])
    // A suspension dated in the future (a clock that went back) counts from now.
    const later = new ConnectivityCore({ minConnections: 3 })
    later.handle({ type: 'start', now: 5000, view: v(0), suspension: { note: '', sinceMs: 9000 } })
    assert.equal(later.snapshot().sinceMs, 5000)
  })

  it('cleans the note: control characters become spaces, trimmed, at most NOTE_MAX_CHARS', () => {
    assert.equal(cleanNote(' line\none\ttwo\u0007 '), 'line one two')
    assert.equal(cleanNote(undefined), '')
    assert.equal(cleanNote('x'.repeat(NOTE_MAX_CHARS + 50)).length, NOTE_MAX_CHARS)
    const core = started()
    core.handle({ type: 'suspend', now: 1, note: 'a\r\nb' })
    assert.equal(core.snapshot().note, 'a  b')
  })
})

describe('connectivity core: lifecycle and bounds', () => {
  it('does nothing before start or after stop, and keeps its state across stop', () => {
    const core = new ConnectivityCore({ minConnections: 3 })
    assert.deepEqual(core.handle({ type: 'observe', now: 1, view: v(5) }), [])
    assert.deepEqual(core.handle({ type: 'suspend', now: 1 }), [])
    assert.equal(core.nextWakeup(), undefined)
    core.handle({ type: 'start', now: 10, view: v(5) })
    assert.deepEqual(core.handle({ type: 'start', now: 11, view: v(0) }), [], 'a second start is ignored')
    core.handle({ type: 'stop', now: 20 })
    assert.deepEqual(core.handle({ type: 'observe', now: 30, view: v(0, 0) }), [])
    assert.equal(core.snapshot().state, 'online')
    assert.equal(core.snapshot().running, false)
    assert.equal(core.nextWakeup(), undefined)
    // Started again (a node restarted in the same process): a new run, reason node_started.
    assert.deepEqual(transitions(core.handle({ type: 'start', now: 40, view: v(0, 0) })), [['online', 'offline', 'node_started', 40]])
  })

  it('a restart without a persisted suspension leaves suspended, and says so to the adapter', () => {
    const core = started(v(5), 0)
    core.handle({ type: 'suspend', now: 10 })
    core.handle({ type: 'stop', now: 20 })
    const effects = core.handle({ type: 'start', now: 30, view: v(0, 1) })
    assert.deepEqual(kinds(effects), ['leave-suspension', 'transition'])
    assert.deepEqual(transitions(effects), [['suspended', 'connecting', 'node_started', 30]])
    // Ended suspended and restored suspended: entered again (the adapter re-applies it), no transition.
    core.handle({ type: 'suspend', now: 40 })
    core.handle({ type: 'stop', now: 50 })
    assert.deepEqual(kinds(core.handle({ type: 'start', now: 60, view: v(0), suspension: { note: '', sinceMs: 40 } })), ['enter-suspension'])
  })

  it('asks to be woken recheckIntervalMs after the last view', () => {
    const core = started(v(0, 1), 1000)
    assert.equal(core.nextWakeup(), 1500)
    core.handle({ type: 'observe', now: 1200, view: v(0, 1) })
    assert.equal(core.nextWakeup(), 1700)
  })

  it('remembers the last HISTORY_MAX transitions, oldest first', () => {
    const core = started(v(0, 0), 0)
    for (let i = 1; i <= HISTORY_MAX + 5; i++) core.handle({ type: 'observe', now: i, view: v(i % 2 === 1 ? 5 : 0, 0) })
    const history = core.history()
    assert.equal(history.length, HISTORY_MAX)
    assert.equal(history[0]?.atMs, 6)
    assert.equal(history.at(-1)?.atMs, HISTORY_MAX + 5)
    history[0]!.reason = 'operator_resume'
    assert.notEqual(core.history()[0]?.reason, 'operator_resume', 'a copy, not the core\'s own record')
  })
})
