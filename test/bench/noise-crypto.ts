/**
 * Noise's ChaCha20-Poly1305, the library's default against src/node/noise-crypto.ts (session key
 * imported once):
 *
 *   npm run bench -- noise-crypto [--rounds 2] [--json]
 *
 * For each message size, µs per encrypt + decrypt of one message with the same key and nonce, the two
 * implementations alternated `--rounds` times (the best of each is reported). One thread, no I/O.
 * Last stdout line: { sizes: [{ size, defaultUs, sessionKeyUs, ratio }], node }.
 */
import { randomBytes } from 'node:crypto'
import { defaultCrypto } from '@libp2p/noise/crypto'
import type { ICryptoInterface } from '@libp2p/noise'
import { noiseCrypto } from '../../src/node/noise-crypto.ts'
import { benchArgs, intArg } from './args.ts'

const SIZES = [64, 512, 1199, 1300, 4096, 16_384, 65_519]

function usPerPair (crypto: ICryptoInterface, size: number): number {
  const k = randomBytes(32)
  const nonce = new Uint8Array(12)
  const ad = new Uint8Array(0)
  const plaintext = randomBytes(size)
  const n = size > 10_000 ? 5000 : 20_000
  const started = process.hrtime.bigint()
  for (let i = 0; i < n; i++) crypto.chaCha20Poly1305Decrypt(crypto.chaCha20Poly1305Encrypt(plaintext, nonce, ad, k), nonce, ad, k)
  return Number(process.hrtime.bigint() - started) / n / 1000
}

export default async function main (args: string[]): Promise<void> {
  const flags = benchArgs(args, { rounds: { type: 'string', default: '2' }, json: { type: 'boolean', default: false } })
  const rounds = Math.max(1, intArg('rounds', flags.rounds))
  const sizes = SIZES.map(size => {
    let defaultUs = Infinity
    let sessionKeyUs = Infinity
    for (let r = 0; r < rounds; r++) {
      defaultUs = Math.min(defaultUs, usPerPair(defaultCrypto, size))
      sessionKeyUs = Math.min(sessionKeyUs, usPerPair(noiseCrypto, size))
    }
    const row = { size, defaultUs: Math.round(defaultUs * 100) / 100, sessionKeyUs: Math.round(sessionKeyUs * 100) / 100, ratio: Math.round(sessionKeyUs / defaultUs * 1000) / 1000 }
    process.stderr.write(`${size} bytes: default ${row.defaultUs} µs, session key ${row.sessionKeyUs} µs per encrypt + decrypt (${row.ratio})\n`)
    return row
  })
  const summary = { sizes, node: process.version }
  if (!flags.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`)
  process.stdout.write(`${JSON.stringify(summary)}\n`)
}
