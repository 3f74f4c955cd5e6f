/**
 * Helpers for gossip tests and benchmarks on real nodes: explicit topologies (until the topology
 * maintainer lands, COMMON.md), with the DHT and AutoNAT stopped so that no node dials anyone on its
 * own and every strategy runs over exactly the graph given.
 */
import { multiaddr } from '@multiformats/multiaddr'
import { createRng } from '../../protocols/common/rng.ts'
import { dialAddrs } from '../../src/harness/index.ts'
import type { SorchaNode } from '../../src/node/sorcha-node.ts'

/** Stops the services that dial peers by themselves (kad-dht refresh/queries, AutoNAT dial-backs). */
export async function quiet (nodes: readonly SorchaNode[]): Promise<void> {
  await Promise.all(nodes.map(async node => {
    const services = node.libp2p.services as Record<string, { stop?: () => Promise<void> | void }>
    await services.dht?.stop?.()
    // The node names its AutoNAT service autonatV2 (src/node/libp2p-options.ts); `autonat` is kept for nodes built otherwise.
    await services.autonatV2?.stop?.()
    await services.autonat?.stop?.()
  }))
}

/** A connected random graph: a ring plus random chords, about `degree` links per node, from `seed`. */
export function randomGraph (n: number, degree: number, seed: number): Array<[number, number]> {
  const rng = createRng(seed)
  const seen = new Set<string>()
  const edges: Array<[number, number]> = []
  const add = (a: number, b: number): void => {
    const key = a < b ? `${a}-${b}` : `${b}-${a}`
    if (a === b || seen.has(key)) return
    seen.add(key)
    edges.push([a, b])
  }
  for (let i = 0; i < n && n > 1; i++) add(i, (i + 1) % n)
  const chords = Math.max(0, Math.round(n * (degree - 2) / 2))
  for (let tries = 0; edges.length < n + chords && tries < chords * 20; tries++) add(rng.int(n), rng.int(n))
  return edges
}

/** A path 0 - 1 - ... - (n-1). */
export function chain (n: number): Array<[number, number]> {
  return Array.from({ length: Math.max(0, n - 1) }, (_, i) => [i, i + 1] as [number, number])
}

/** Runs `dial(a, b)` for every edge, `concurrency` at a time (for nodes that are not SorchaNodes of this thread). */
export async function dialEdges (edges: ReadonlyArray<[number, number]>, dial: (a: number, b: number) => Promise<void>, concurrency = 8): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < edges.length) {
      const [a, b] = edges[next++] as [number, number]
      await dial(a, b)
    }
  }))
}

/** Dials every edge (a dials b), a few at a time. */
export async function connect (nodes: readonly SorchaNode[], edges: ReadonlyArray<[number, number]>, concurrency = 8): Promise<void> {
  await dialEdges(edges, async (a, b) => {
    await (nodes[a] as SorchaNode).libp2p.dial(multiaddr(dialAddrs(nodes[b] as SorchaNode)[0] as string))
  }, concurrency)
}

/** Polls `condition` every 50 ms until it holds; throws (naming `what`) after `timeoutMs` (generous: the machine is shared). */
export async function waitFor (condition: () => boolean | Promise<boolean>, timeoutMs = 60_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not met within ${timeoutMs} ms`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}
