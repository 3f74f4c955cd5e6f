/** A benchmark node's peer list filled with peers known by hearsay only (as a peer exchange would bring them). */
import { PeerSource } from '../../protocols/models/index.ts'
import type { SorchaNode } from '../../src/node/sorcha-node.ts'
import type { PeerList } from '../../src/peers/types.ts'
import { makePeerIds } from '../helpers/peer-ids.ts'

/** Adds `count` peers that `learnedFrom` told `node` about (addresses on 127.0.x.y, never dialled successfully); returns the peer list. */
export async function addHearsayPeers (node: SorchaNode, count: number, learnedFrom: string): Promise<PeerList> {
  const list = (node.libp2p.services as unknown as { peerList: PeerList }).peerList
  const ids = await makePeerIds(count)
  await list.observeMany(ids.map((peerId, i) => ({ peerId, addresses: [`/ip4/127.0.${Math.floor(i / 250)}.${(i % 250) + 1}/tcp/4001`], source: PeerSource.PEER_SOURCE_PEER_EXCHANGE, firsthand: false, learnedFrom, now: Date.now() })))
  return list
}
