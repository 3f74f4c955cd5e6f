import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createRootLogger } from '../../../src/logging/index.ts'
import { routeProcessWarnings } from '../../../src/node/run.ts'

describe('process warnings under --log-format json', () => {
  it('become log lines while routed, and Node prints them itself again afterwards', async () => {
    const lines: Array<Record<string, unknown>> = []
    const log = createRootLogger({ level: 'info', format: 'json', destination: { write: (s: string) => { lines.push(JSON.parse(s) as Record<string, unknown>) } } })
    const printers = process.listeners('warning')
    assert.ok(printers.length > 0, "Node's own printer is installed")
    const undo = routeProcessWarnings(log.child({ name: 'sorcha:process' }))
    try {
      assert.equal(process.listeners('warning').some(l => printers.includes(l)), false, "Node's printer is off")
      process.emitWarning('too many listeners', { type: 'MaxListenersExceededWarning', code: 'TEST_CODE', detail: 'add fewer' })
      await new Promise(resolve => setImmediate(resolve))
    } finally {
      undo()
    }
    assert.deepEqual(lines.map(l => [l.level, l.name, l.warning, l.code, l.detail, l.msg]), [[40, 'sorcha:process', 'MaxListenersExceededWarning', 'TEST_CODE', 'add fewer', 'too many listeners']])
    assert.deepEqual(process.listeners('warning'), printers, 'restored')
  })
})
