/**
 * Which failed reads of a peer's length-prefixed message are offences (src/reputation/index.ts): a
 * malformed length prefix or a message over the limit is; the stream ending, being reset or timing
 * out (a peer that crashed or went away mid-message) is not.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { StreamResetError, StreamStateError } from '@libp2p/interface'
import { InvalidDataLengthError, InvalidDataLengthLengthError, InvalidMessageLengthError, UnexpectedEOFError } from '@libp2p/utils'
import { offenceOfReadError } from '../../../src/reputation/index.ts'

describe('offenceOfReadError', () => {
  it('a length over the limit is oversized; a malformed length prefix a protocol violation', () => {
    assert.equal(offenceOfReadError(new InvalidDataLengthError('Message length too long - 9999 > 100')), 'oversized')
    assert.equal(offenceOfReadError(new InvalidDataLengthLengthError('Message length length too long - 9 > 8')), 'protocol_violation')
    assert.equal(offenceOfReadError(new InvalidMessageLengthError('Invalid message length')), 'protocol_violation')
  })

  it('a stream that ended, was reset or timed out is no offence', () => {
    assert.equal(offenceOfReadError(new UnexpectedEOFError('Unexpected EOF - tried to read 50 bytes but the stream closed')), undefined)
    assert.equal(offenceOfReadError(new StreamResetError('the remote reset the stream')), undefined)
    assert.equal(offenceOfReadError(new StreamStateError('stream closed')), undefined)
    assert.equal(offenceOfReadError(new DOMException('The operation timed out', 'TimeoutError')), undefined)
    assert.equal(offenceOfReadError('not an error'), undefined)
  })
})
