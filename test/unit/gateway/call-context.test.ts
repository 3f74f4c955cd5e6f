import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { cancelReason, DEADLINE_CANCEL_SLACK_MS } from '../../../src/gateway/grpc/call-context.ts'

describe('gRPC call cancellation', () => {
  const now = 1_000_000
  const reason = (deadline: Date | number): string => `${cancelReason(deadline, now).name} ${cancelReason(deadline, now).reason}`

  it('reports a cancel at or after the deadline as the deadline, a Date or a number alike', () => {
    assert.equal(reason(now - 5), 'DeadlineExceededError deadline')
    assert.equal(reason(new Date(now)), 'DeadlineExceededError deadline')
  })

  it('reports a cancel just before the server\'s copy of the deadline as the deadline: the client\'s own passed first', () => {
    // The test this guards: a client with a 200-ms deadline cancels when it passes; its cancel
    // reached a busy server before the server's copy of the deadline, and was taken for a user's.
    assert.equal(reason(now + DEADLINE_CANCEL_SLACK_MS), 'DeadlineExceededError deadline')
    assert.equal(reason(new Date(now + 40)), 'DeadlineExceededError deadline')
  })

  it('reports an earlier cancel, or one of a call without a deadline, as the client\'s', () => {
    assert.equal(reason(now + DEADLINE_CANCEL_SLACK_MS + 1), 'ApiError cancelled')
    assert.equal(reason(new Date(now + 60_000)), 'ApiError cancelled')
    assert.equal(reason(Infinity), 'ApiError cancelled')
  })
})
