/**
 * Noise's ChaCha20-Poly1305 with the session key imported once (the `crypto` option of
 * @libp2p/noise, its documented extension point; everything else is the library's default).
 *
 * The library's default encrypts and decrypts messages of 1,200 bytes or more with Node's crypto,
 * passing the raw 32-byte key to createCipheriv, which imports it into a new key object each time:
 * about 35 µs per message on a 2-core EPYC, more than the cipher itself below 16 KiB. A key object
 * made once per session key does the same work for a fraction (benchmarks.md, "Noise's session
 * keys"). Messages below NODE_CIPHER_MIN_BYTES keep the library's WebAssembly cipher, as the library
 * does: Node's cipher is faster from ~640 bytes in a loop, but it makes a native object per message,
 * and moving the 640-1,199-byte messages to it measured no better in a busy 100-node process. The
 * bytes on the wire are the same: ChaCha20-Poly1305 (RFC 8439) either way.
 */
import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject } from 'node:crypto'
import type { ICryptoInterface } from '@libp2p/noise'
import { defaultCrypto } from '@libp2p/noise/crypto'
import { Uint8ArrayList } from 'uint8arraylist'

/** From this size on the library uses Node's cipher, and so does this (with the key object). */
export const NODE_CIPHER_MIN_BYTES = 1200
const CIPHER = 'chacha20-poly1305'
const TAG_BYTES = 16

/** A session key's key object, by the key's bytes (a Noise cipher state keeps its key array for its life). */
const keyObjects = new WeakMap<Uint8Array, { bytes: Buffer, key: KeyObject }>()

function keyObjectOf (k: Uint8Array): KeyObject {
  const known = keyObjects.get(k)
  // Checked against a copy: should anyone reuse the array for another key, the old object is not used.
  if (known !== undefined && known.bytes.equals(k)) return known.key
  const bytes = Buffer.from(k)
  const key = createSecretKey(bytes)
  keyObjects.set(k, { bytes, key })
  return key
}

function encrypt (plaintext: Uint8Array | Uint8ArrayList, nonce: Uint8Array, ad: Uint8Array, k: Uint8Array): Uint8Array | Uint8ArrayList {
  if (plaintext.byteLength < NODE_CIPHER_MIN_BYTES) return defaultCrypto.chaCha20Poly1305Encrypt(plaintext, nonce, ad, k)
  const cipher = createCipheriv(CIPHER, keyObjectOf(k), nonce, { authTagLength: TAG_BYTES })
  cipher.setAAD(ad, { plaintextLength: plaintext.byteLength })
  if (plaintext instanceof Uint8Array) {
    const updated = cipher.update(plaintext)
    const final = cipher.final()
    const tag = cipher.getAuthTag()
    return Buffer.concat([updated, final, tag], updated.byteLength + final.byteLength + tag.byteLength)
  }
  const output = new Uint8ArrayList()
  for (const buf of plaintext) output.append(cipher.update(buf))
  const final = cipher.final()
  if (final.byteLength > 0) output.append(final)
  output.append(cipher.getAuthTag())
  return output
}

function decrypt (ciphertext: Uint8Array | Uint8ArrayList, nonce: Uint8Array, ad: Uint8Array, k: Uint8Array, dst?: Uint8Array): Uint8Array | Uint8ArrayList {
  if (ciphertext.byteLength - TAG_BYTES < NODE_CIPHER_MIN_BYTES) return defaultCrypto.chaCha20Poly1305Decrypt(ciphertext, nonce, ad, k, dst)
  const length = ciphertext.byteLength - TAG_BYTES
  const decipher = createDecipheriv(CIPHER, keyObjectOf(k), nonce, { authTagLength: TAG_BYTES })
  decipher.setAAD(ad, { plaintextLength: length })
  decipher.setAuthTag(ciphertext.subarray(length))
  if (ciphertext instanceof Uint8Array) {
    const output = decipher.update(ciphertext.subarray(0, length))
    const final = decipher.final() // throws when the tag does not match
    return final.byteLength > 0 ? Buffer.concat([output, final], output.byteLength + final.byteLength) : output
  }
  const output = new Uint8ArrayList()
  for (const buf of ciphertext.sublist(0, length)) output.append(decipher.update(buf))
  const final = decipher.final()
  if (final.byteLength > 0) output.append(final)
  return output
}

/** The library's default crypto with ChaCha20-Poly1305 as above. */
export const noiseCrypto: ICryptoInterface = {
  ...defaultCrypto,
  chaCha20Poly1305Encrypt: encrypt,
  chaCha20Poly1305Decrypt: decrypt
}
