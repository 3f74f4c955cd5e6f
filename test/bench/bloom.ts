/**
 * `npm run bench -- bloom [--items 1000000] [--fp 0.01]`: insert and lookup throughput of the
 * tx-gossip Bloom filter with 64-character hex keys (tx ids), and the measured false-positive rate.
 */
import { createRng } from '../../protocols/common/rng.ts'
import { BloomFilter } from '../../protocols/tx-gossip/index.ts'
import { benchArgs, intArg } from './args.ts'

/** Seeded 64-character hex keys, built as flat strings (Buffer#toString) so timings measure hashing, not string flattening. */
function keys (seed: number, count: number): string[] {
  const rng = createRng(seed)
  const bytes = Buffer.alloc(32)
  return Array.from({ length: count }, () => {
    for (let i = 0; i < 32; i++) bytes[i] = rng.int(256)
    return bytes.toString('hex')
  })
}

export default async function bloom (args: string[]): Promise<void> {
  const opts = benchArgs(args, { items: { type: 'string', default: '1000000' }, fp: { type: 'string', default: '0.01' } })
  const n = intArg('items', opts.items)
  const fp = Number(opts.fp)
  const inserted = keys(1, n)
  const probes = keys(2, n)
  const filter = BloomFilter.create(n, fp, 1)
  let t = performance.now()
  for (const key of inserted) filter.add(key)
  const insertMs = performance.now() - t
  t = performance.now()
  let hits = 0
  for (const key of inserted) if (filter.has(key)) hits++
  const lookupHitMs = performance.now() - t
  t = performance.now()
  let falsePositives = 0
  for (const key of probes) if (filter.has(key)) falsePositives++
  const lookupMissMs = performance.now() - t
  const summary = {
    items: n,
    configuredFpRate: fp,
    measuredFpRate: falsePositives / n,
    bytes: filter.bits.length,
    k: filter.k,
    insertOpsPerSec: Math.round(n / (insertMs / 1000)),
    lookupHitOpsPerSec: Math.round(hits / (lookupHitMs / 1000)),
    lookupMissOpsPerSec: Math.round(n / (lookupMissMs / 1000))
  }
  console.log(JSON.stringify(summary))
}
