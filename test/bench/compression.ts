/**
 * `npm run bench -- compression [--size 262144] [--tx 20]`: bytes on the wire for transactions sent
 * between two real nodes with chunk compression on (threshold 1 KiB) and off, for compressible
 * (JSON-like text) and incompressible (random) payloads.
 */
import { createRng } from '../../protocols/common/rng.ts'
import { gossipContribution, gossipOf, TX_GOSSIP_PROTOCOL } from '../../src/gossip/index.ts'
import { startNetwork } from '../../src/harness/index.ts'
import { chain, connect, quiet, waitFor } from '../support/gossip-net.ts'
import { benchArgs, intArg } from './args.ts'
import { countStreamBytes } from './stream-bytes.ts'

function jsonLike (rng: ReturnType<typeof createRng>, size: number): Uint8Array {
  const parts: string[] = []
  let length = 0
  while (length < size) {
    const entry = JSON.stringify({ register: 'reg-' + rng.int(10), amount: rng.int(100000), account: 'acct-' + rng.int(5000).toString(16).padStart(8, '0'), memo: 'transfer of goods', at: 1_700_000_000_000 + rng.int(1e9) })
    parts.push(entry)
    length += entry.length + 1
  }
  return new TextEncoder().encode(parts.join('\n').slice(0, size))
}

async function measure (threshold: number, payloads: Uint8Array[]): Promise<{ wireBytes: number, ms: number }> {
  const net = await startNetwork({ nodes: 2, bootstrap: 'none', config: { gossip: { compressionThresholdBytes: threshold } }, contributions: [gossipContribution()] })
  try {
    const counter = { bytes: 0 }
    for (const node of net.nodes) countStreamBytes(node, [TX_GOSSIP_PROTOCOL], counter)
    await quiet(net.nodes)
    await connect(net.nodes, chain(2))
    const [a, b] = net.nodes as [typeof net.nodes[0] & object, typeof net.nodes[0] & object]
    await waitFor(() => gossipOf(a).stats().peers === 1 && gossipOf(b).stats().peers === 1)
    let received = 0
    gossipOf(b).addEventListener('tx:received', () => { received++ })
    await new Promise(resolve => setTimeout(resolve, 200))
    counter.bytes = 0
    const t = performance.now()
    for (const payload of payloads) await gossipOf(a).publish({ registerId: 'bench', payload })
    await waitFor(() => received === payloads.length, 120_000)
    return { wireBytes: counter.bytes, ms: performance.now() - t }
  } finally {
    await net.stop()
  }
}

export default async function compression (args: string[]): Promise<void> {
  const opts = benchArgs(args, { size: { type: 'string', default: '262144' }, tx: { type: 'string', default: '20' } })
  const size = intArg('size', opts.size)
  const count = intArg('tx', opts.tx)
  const rng = createRng(3)
  const kinds = {
    compressible: Array.from({ length: count }, () => jsonLike(rng, size)),
    incompressible: Array.from({ length: count }, () => new Uint8Array(size).map(() => rng.int(256)))
  }
  const summary: Record<string, unknown> = {}
  for (const [kind, payloads] of Object.entries(kinds)) {
    const payloadBytes = payloads.reduce((sum, p) => sum + p.length, 0)
    const off = await measure(0, payloads)
    const on = await measure(1024, payloads)
    summary[kind] = {
      payloadBytes,
      wireBytesUncompressed: off.wireBytes,
      wireBytesCompressed: on.wireBytes,
      savingPercent: Math.round(1000 * (1 - on.wireBytes / off.wireBytes)) / 10,
      msUncompressed: Math.round(off.ms),
      msCompressed: Math.round(on.ms)
    }
    process.stderr.write(`${kind}: ${JSON.stringify(summary[kind])}\n`)
  }
  console.log(JSON.stringify(summary))
}
