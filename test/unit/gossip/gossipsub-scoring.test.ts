import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { peerIdFromString } from '@libp2p/peer-id'
import { GOSSIPSUB_SCORE_THRESHOLDS, peerScoreParams, penaliseLowScores, topicScoreParams } from '../../../src/gossip/gossipsub-scoring.ts'
import { makePeerIds } from '../../helpers/peer-ids.ts'

const [A, B, C] = await makePeerIds(3) as [string, string, string]

describe('gossipsub peer scoring tied to reputation', () => {
  it('three invalid messages in a topic reach gossipsub\'s graylist threshold, two do not', () => {
    const p = topicScoreParams()
    const p4 = (invalid: number): number => invalid * invalid * p.invalidMessageDeliveriesWeight! * p.topicWeight!
    assert.ok(p4(3) < GOSSIPSUB_SCORE_THRESHOLDS.graylistThreshold)
    assert.ok(p4(2) > GOSSIPSUB_SCORE_THRESHOLDS.graylistThreshold)
  })

  it('P5 is minus 0.8 × the reputation score: a graylisted peer (30) is below gossipThreshold, only a banned one (100) reaches gossipsub\'s graylist', () => {
    const scores = new Map([[A, 30], [B, 100], [C, 99]])
    const params = peerScoreParams({ reputation: () => ({ penalise: () => {}, isGraylisted: () => false, standing: peer => ({ score: scores.get(peer) ?? 0 }) }), ipColocationWhitelist: ['127.0.0.1'] })
    const app = params.appSpecificScore as (peer: string) => number
    assert.ok(app(A) * (params.appSpecificWeight as number) < GOSSIPSUB_SCORE_THRESHOLDS.gossipThreshold)
    assert.ok(app(B) * (params.appSpecificWeight as number) <= GOSSIPSUB_SCORE_THRESHOLDS.graylistThreshold)
    assert.ok(app(C) * (params.appSpecificWeight as number) > GOSSIPSUB_SCORE_THRESHOLDS.graylistThreshold)
    assert.deepEqual([...(params.IPColocationFactorWhitelist as Set<string>)], ['127.0.0.1'])
  })

  it('penalises a peer whose gossipsub score without P5 is below the graylist threshold, not one brought there by reputation alone', () => {
    const gossipsubScores = new Map([[A, -100], [B, -100], [C, 5]])
    const reputationScores = new Map([[B, 40]])
    const offences: Array<[string, string, string | undefined]> = []
    const router = { getPeers: () => [A, B, C].map(id => peerIdFromString(id)), getScore: (peer: string) => gossipsubScores.get(peer) ?? 0 }
    const reputation = { penalise: (peer: string, offence: string, detail?: string) => { offences.push([peer, offence, detail]) }, isGraylisted: () => false, standing: (peer: string) => ({ score: reputationScores.get(peer) ?? 0 }) }
    assert.equal(penaliseLowScores(router, reputation as never), 1)
    assert.deepEqual(offences, [[A, 'protocol_violation', 'gossipsub-score']])
    assert.equal(penaliseLowScores(router, undefined), 0, 'without a reputation service nothing happens')
  })
})
