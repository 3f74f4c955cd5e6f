/** Real Ed25519 peer ids for tests. */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'

/** `count` fresh, valid peer id strings. */
export async function makePeerIds (count: number): Promise<string[]> {
  const out: string[] = []
  for (let i = 0; i < count; i++) out.push(peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString())
  return out
}
