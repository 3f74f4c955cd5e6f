/**
 * src/node/noise-crypto.ts against the library's default: the same bytes on the wire in both
 * directions at every size around the switch between the two ciphers, lists as well as arrays, and
 * a changed byte, a wrong key or a key array reused for another key all handled as the default does.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'
import { defaultCrypto } from '@libp2p/noise/crypto'
import { Uint8ArrayList } from 'uint8arraylist'
import { NODE_CIPHER_MIN_BYTES, noiseCrypto } from '../../../src/node/noise-crypto.ts'

const SIZES = [0, 1, 100, NODE_CIPHER_MIN_BYTES - 1, NODE_CIPHER_MIN_BYTES, NODE_CIPHER_MIN_BYTES + 1, 1199, 1200, 16_384, 65_519]
const bytes = (data: Uint8Array | Uint8ArrayList): Buffer => Buffer.from(data.subarray())
/** The same bytes as a list of three parts (how Noise hands over a message read in pieces). */
function asList (data: Uint8Array): Uint8ArrayList {
  const a = Math.floor(data.length / 3)
  return new Uint8ArrayList(data.subarray(0, a), data.subarray(a, 2 * a), data.subarray(2 * a))
}
function nonceOf (n: number): Uint8Array {
  const nonce = new Uint8Array(12)
  new DataView(nonce.buffer).setUint32(4, n, true)
  return nonce
}

describe('Noise ChaCha20-Poly1305 with session key objects', () => {
  it('encrypts to the default\'s bytes and each decrypts the other\'s, arrays and lists, at every size', () => {
    const k = randomBytes(32)
    SIZES.forEach((size, i) => {
      const plaintext = randomBytes(size)
      const ad = randomBytes(i % 2 === 0 ? 0 : 32)
      const nonce = nonceOf(i)
      const ours = bytes(noiseCrypto.chaCha20Poly1305Encrypt(plaintext, nonce, ad, k))
      const theirs = bytes(defaultCrypto.chaCha20Poly1305Encrypt(plaintext, nonce, ad, k))
      assert.ok(ours.equals(theirs), `ciphertext of ${size} bytes`)
      assert.ok(bytes(noiseCrypto.chaCha20Poly1305Encrypt(asList(plaintext), nonce, ad, k)).equals(theirs), `ciphertext of a list of ${size} bytes`)
      assert.ok(bytes(noiseCrypto.chaCha20Poly1305Decrypt(theirs, nonce, ad, k)).equals(plaintext), `decrypts ${size} bytes`)
      assert.ok(bytes(noiseCrypto.chaCha20Poly1305Decrypt(asList(theirs), nonce, ad, k)).equals(plaintext), `decrypts a list of ${size} bytes`)
      assert.ok(bytes(defaultCrypto.chaCha20Poly1305Decrypt(ours, nonce, ad, k)).equals(plaintext))
    })
  })

  it('refuses a changed byte, a wrong nonce and a wrong key, below and above the switch', () => {
    const k = randomBytes(32)
    for (const size of [100, NODE_CIPHER_MIN_BYTES, 16_384]) {
      const plaintext = randomBytes(size)
      const nonce = nonceOf(7)
      const sealed = bytes(noiseCrypto.chaCha20Poly1305Encrypt(plaintext, nonce, new Uint8Array(0), k))
      const changed = Buffer.from(sealed)
      changed[Math.floor(size / 2)]! ^= 1
      assert.throws(() => noiseCrypto.chaCha20Poly1305Decrypt(changed, nonce, new Uint8Array(0), k), `a changed byte in ${size}`)
      assert.throws(() => noiseCrypto.chaCha20Poly1305Decrypt(sealed, nonceOf(8), new Uint8Array(0), k), `another nonce, ${size}`)
      assert.throws(() => noiseCrypto.chaCha20Poly1305Decrypt(sealed, nonce, new Uint8Array(0), randomBytes(32)), `another key, ${size}`)
    }
  })

  it('uses the key the array holds now, should the array be reused for another key', () => {
    const k = new Uint8Array(randomBytes(32))
    const plaintext = randomBytes(4096)
    const nonce = nonceOf(1)
    const first = bytes(noiseCrypto.chaCha20Poly1305Encrypt(plaintext, nonce, new Uint8Array(0), k))
    k.set(randomBytes(32))
    const second = bytes(noiseCrypto.chaCha20Poly1305Encrypt(plaintext, nonce, new Uint8Array(0), k))
    assert.ok(!first.equals(second))
    assert.ok(second.equals(bytes(defaultCrypto.chaCha20Poly1305Encrypt(plaintext, nonce, new Uint8Array(0), k))))
  })
})
