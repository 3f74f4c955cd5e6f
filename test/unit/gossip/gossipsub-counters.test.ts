import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { gossipsubCounters } from '../../../src/gossip/gossipsub-counters.ts'

describe('gossipsub counters', () => {
  it('sums the five series it keeps, with or without labels, and ignores the others', () => {
    const { register, counts } = gossipsubCounters()
    const valid = register.gauge<{ topic: string }>({ name: 'gossipsub_pre_validation_valid_total', help: '', labelNames: ['topic'] })
    const duplicate = register.gauge<{ topic: string }>({ name: 'gossipsub_pre_validation_duplicate_total', help: '', labelNames: ['topic'] })
    const bytesIn = register.gauge({ name: 'gossipsub_rpc_recv_bytes_total', help: '' })
    const bytesOut = register.gauge({ name: 'gossipsub_rpc_sent_bytes_total', help: '' })
    const other = register.gauge({ name: 'gossipsub_rpc_recv_count_total', help: '' })
    valid.inc({ topic: 'a' }); valid.inc({ topic: 'b' }, 2)
    duplicate.inc({ topic: 'a' })
    bytesIn.inc(100); bytesIn.inc(20); bytesOut.inc(7); other.inc(1000)
    register.histogram({ name: 'gossipsub_heartbeat_duration_seconds', help: '' }).observe(1)
    register.avgMinMax({ name: 'gossipsub_score_per_mesh', help: '' }).set([1, 2])
    assert.deepEqual({ ...counts }, { valid: 3, duplicates: 1, invalid: 0, bytesIn: 120, bytesOut: 7 })
  })
})
