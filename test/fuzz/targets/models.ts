/** Arbitraries of valid model values (ids, peer ids, notifications) shared by the fuzz targets. */
import fc from 'fast-check'
import { toHex, type TransactionNotification } from '../../../protocols/models/index.ts'

/** Syntactically valid peer ids. */
export const PEER_IDS = ['12D3KooWAbCdEfGhJkLmNoPqRsTuVwXyZ123456789123456789a', '12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK', 'QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N']

export const peerIdArb = fc.constantFrom(...PEER_IDS)
export const idBytesArb = fc.uint8Array({ minLength: 32, maxLength: 32 })
export const idHexArb = idBytesArb.map(toHex)
export const registerIdArb = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,20}$/)
export const contentTypeArb = fc.constantFrom('application/json', 'application/octet-stream', 'text/plain; charset=utf-8')
export const hopsArb = fc.nat({ max: 255 })
export const sizeArb = fc.nat({ max: 2 ** 40 })

/** A valid notification of `txId` with `sizeBytes`. */
export function notificationArb (txId: Uint8Array, sizeBytes: number): fc.Arbitrary<TransactionNotification> {
  return fc.record({
    txId: fc.constant(txId),
    registerId: registerIdArb,
    sender: peerIdArb,
    timestampMs: fc.integer({ min: 1, max: 2 ** 45 }),
    sizeBytes: fc.constant(sizeBytes),
    contentType: contentTypeArb,
    hopCount: hopsArb
  })
}
