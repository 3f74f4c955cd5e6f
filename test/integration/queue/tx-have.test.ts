/**
 * The have-query /sorcha/tx-have/1.0.0 as a peer sees it, on raw libp2p streams: the bitmap answers
 * exactly which requested ids the node's store holds, and a malformed request gets no answer.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { multiaddr } from '@multiformats/multiaddr'
import { lpStream } from '@libp2p/utils'
import { TxHaveRequest, TxHaveResponse } from '../../../protos/gen/sorcha/p2p/v1/tx_queue.ts'
import { gossipContribution, gossipOf, txIdOf } from '../../../src/gossip/index.ts'
import { dialAddrs, startNetwork, type TestNetwork } from '../../../src/harness/index.ts'
import type { SorchaNode } from '../../../src/node/sorcha-node.ts'
import { TX_HAVE_MAX_IDS, TX_HAVE_PROTOCOL, packBits, unpackBits } from '../../../src/queue/index.ts'

const text = (s: string): Uint8Array => new TextEncoder().encode(s)

describe('the have-query', () => {
  it('packs and unpacks bitmaps, least significant bit first, and rejects a bitmap of the wrong length', () => {
    const bits = [true, false, false, true, false, false, false, false, true]
    assert.deepEqual([...packBits(bits)], [0b00001001, 0b00000001])
    assert.deepEqual(unpackBits(packBits(bits), bits.length), bits)
    assert.equal(unpackBits(new Uint8Array(3), bits.length), undefined)
  })

  describe('served by a node', () => {
    let net: TestNetwork
    let asker: SorchaNode
    let holder: SorchaNode
    before(async () => {
      net = await startNetwork({ nodes: 2, bootstrap: 'none', contributions: [gossipContribution()] })
      ;[asker, holder] = net.nodes as [SorchaNode, SorchaNode]
    })
    after(async () => { await net?.stop() })

    const query = async (ids: Uint8Array[]): Promise<Uint8Array> => {
      const stream = await asker.libp2p.dialProtocol(multiaddr(dialAddrs(holder)[0] as string), TX_HAVE_PROTOCOL)
      const lp = lpStream(stream)
      await lp.write(TxHaveRequest.encode({ txIds: ids }).finish())
      const answer = TxHaveResponse.decode((await lp.read()).subarray()).held
      await stream.close()
      return answer
    }

    it('answers, in request order, which ids the store holds', async () => {
      const held = [text('held one'), text('held two')]
      for (const payload of held) await gossipOf(holder).publish({ registerId: 'reg', payload })
      const ids = [txIdOf(held[0]!), txIdOf(text('never seen')), txIdOf(held[1]!)]
      assert.deepEqual(unpackBits(await query(ids), 3), [true, false, true])
      const many = Array.from({ length: TX_HAVE_MAX_IDS }, (_, i) => txIdOf(text(`absent ${i}`)))
      many[TX_HAVE_MAX_IDS - 1] = txIdOf(held[1]!)
      const answer = unpackBits(await query(many), TX_HAVE_MAX_IDS)
      assert.equal(answer?.filter(Boolean).length, 1)
      assert.equal(answer?.at(-1), true)
    })

    it('hangs up on a malformed request (an id that is not 32 bytes, or more than 1,024 ids) without answering', async () => {
      await assert.rejects(query([new Uint8Array(31)]))
      await assert.rejects(query(Array.from({ length: TX_HAVE_MAX_IDS + 1 }, () => new Uint8Array(32))))
    })
  })
})
