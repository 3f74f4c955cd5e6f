/**
 * Initial topologies, built from the run's seed. A link is a connection; a node behind NAT cannot
 * accept inbound connections, so a link needs at least one public end (the NATed side dials out).
 *
 * - `k-regular`: every node has exactly `degree` neighbours (configuration model, bad pairs repaired by
 *   random edge switches); with NAT some nodes may end with fewer, reported as `missingLinks`.
 * - `random`: every node dials ceil(degree / 2) distinct random public nodes; the mean degree is about
 *   `degree`, the minimum is ceil(degree / 2), so the graph is connected with high probability.
 * - `bootstrap`: nodes join in index order; each dials the bootstrap nodes (the first `bootstrapNodes`,
 *   while they have room under `maxConnections`) and then random earlier nodes up to `degree`.
 * - `full`: every node is linked to every other (the model of Kermarrec et al.; small N only).
 */
import type { Rng } from '../../protocols/common/rng.ts'

/** A topology as a scenario declares it. */
export type TopologySpec =
  | { kind: 'k-regular', degree: number }
  | { kind: 'random', degree: number }
  | { kind: 'bootstrap', degree: number, bootstrapNodes: number, maxConnections: number }
  | { kind: 'full' }

/** Undirected adjacency lists plus what could not be built. */
export interface Topology {
  /** Neighbours per node. The lists may be shared between runs: replace a list, never mutate it. */
  readonly adjacency: number[][]
  /** Links the spec asked for that NAT or a small N made impossible. */
  readonly missingLinks: number
}

/** Largest node count for the `full` topology (its adjacency is N² entries). */
export const MAX_FULL_TOPOLOGY_NODES = 5000

/** Thrown when a topology cannot be built for these parameters. */
export class TopologyError extends Error {
  override name = 'TopologyError'
}

class LinkSet {
  readonly adjacency: number[][]
  private readonly seen = new Set<number>()
  private readonly n: number
  constructor (n: number) {
    this.n = n
    this.adjacency = Array.from({ length: n }, () => [])
  }

  has (a: number, b: number): boolean { return this.seen.has(a < b ? a * this.n + b : b * this.n + a) }
  add (a: number, b: number): boolean {
    if (a === b || this.has(a, b)) return false
    this.seen.add(a < b ? a * this.n + b : b * this.n + a)
    this.adjacency[a]!.push(b)
    this.adjacency[b]!.push(a)
    return true
  }

  remove (a: number, b: number): void {
    const drop = (list: number[], x: number): void => {
      const i = list.indexOf(x)
      if (i >= 0) { list[i] = list[list.length - 1]!; list.pop() }
    }
    drop(this.adjacency[a]!, b)
    drop(this.adjacency[b]!, a)
    this.seen.delete(a < b ? a * this.n + b : b * this.n + a)
  }
}

function kRegular (n: number, k: number, rng: Rng, isPublic: (i: number) => boolean): Topology {
  if (k >= n) throw new TopologyError(`k-regular needs degree < nodes (degree ${k}, nodes ${n})`)
  if ((n * k) % 2 !== 0) throw new TopologyError(`k-regular needs nodes × degree even (${n} × ${k})`)
  const stubs = new Int32Array(n * k)
  for (let i = 0; i < n * k; i++) stubs[i] = Math.floor(i / k)
  for (let i = stubs.length - 1; i > 0; i--) {
    const j = rng.int(i + 1)
    const t = stubs[i]!; stubs[i] = stubs[j]!; stubs[j] = t
  }
  const links = new LinkSet(n)
  const ok = (a: number, b: number): boolean => a !== b && !links.has(a, b) && (isPublic(a) || isPublic(b))
  const pending: Array<[number, number]> = []
  for (let i = 0; i < stubs.length; i += 2) {
    const a = stubs[i]!
    const b = stubs[i + 1]!
    if (ok(a, b)) links.add(a, b)
    else pending.push([a, b])
  }
  // Repair each bad pair (a, b) by switching with a random good link (c, d) into (a, c) and (b, d).
  let missing = 0
  for (const [a, b] of pending) {
    let fixed = false
    for (let attempt = 0; attempt < 200 && !fixed; attempt++) {
      const c = rng.int(n)
      const nbrs = links.adjacency[c]!
      if (nbrs.length === 0) continue
      const d = nbrs[rng.int(nbrs.length)]!
      if (!ok(a, c) || !ok(b, d) || (a === d) || (b === c)) continue
      links.remove(c, d)
      links.add(a, c)
      links.add(b, d)
      fixed = true
    }
    if (!fixed) missing++
  }
  return { adjacency: links.adjacency, missingLinks: missing }
}

function randomDial (n: number, degree: number, rng: Rng, publics: number[]): Topology {
  const links = new LinkSet(n)
  const dials = Math.ceil(degree / 2)
  let missing = 0
  for (let i = 0; i < n; i++) {
    let made = 0
    for (let attempt = 0; made < dials && attempt < dials * 20; attempt++) {
      const j = publics[rng.int(publics.length)]!
      if (links.add(i, j)) made++
    }
    missing += dials - made
  }
  return { adjacency: links.adjacency, missingLinks: missing }
}

function bootstrapLike (n: number, spec: Extract<TopologySpec, { kind: 'bootstrap' }>, rng: Rng, isPublic: (i: number) => boolean): Topology {
  const links = new LinkSet(n)
  const earlierPublics: number[] = []
  let missing = 0
  for (let i = 0; i < n; i++) {
    let made = 0
    for (let b = 0; b < Math.min(spec.bootstrapNodes, i); b++) {
      if (links.adjacency[b]!.length < spec.maxConnections && isPublic(b) && links.add(i, b)) made++
    }
    const want = Math.min(spec.degree, earlierPublics.length)
    for (let attempt = 0; made < want && attempt < want * 20; attempt++) {
      const j = earlierPublics[rng.int(earlierPublics.length)]!
      if (links.adjacency[j]!.length < spec.maxConnections && links.add(i, j)) made++
    }
    missing += want - made
    if (isPublic(i)) earlierPublics.push(i)
  }
  return { adjacency: links.adjacency, missingLinks: missing }
}

// The full topology of a given size is always the same, and runs of the theory test build it
// thousands of times, so the last one is kept. Its lists are shared: callers must not mutate them.
let lastFull: { n: number, lists: ReadonlyArray<readonly number[]> } | undefined

function full (n: number): Topology {
  if (n > MAX_FULL_TOPOLOGY_NODES) throw new TopologyError(`full topology is limited to ${MAX_FULL_TOPOLOGY_NODES} nodes (asked ${n})`)
  if (lastFull?.n !== n) {
    const lists = Array.from({ length: n }, (_, i) => {
      const list = new Array<number>(n - 1)
      for (let j = 0, k = 0; j < n; j++) if (j !== i) list[k++] = j
      return Object.freeze(list)
    })
    lastFull = { n, lists }
  }
  return { adjacency: lastFull.lists.slice() as number[][], missingLinks: 0 }
}

/** Builds the initial topology; `isPublic(i)` says whether node i accepts inbound connections. */
export function buildTopology (n: number, spec: TopologySpec, rng: Rng, isPublic: (i: number) => boolean): Topology {
  const publics: number[] = []
  for (let i = 0; i < n; i++) if (isPublic(i)) publics.push(i)
  if (publics.length === 0 && n > 1) throw new TopologyError('no public node: nobody can accept a connection')
  switch (spec.kind) {
    case 'k-regular': return kRegular(n, spec.degree, rng, isPublic)
    case 'random': return randomDial(n, spec.degree, rng, publics)
    case 'bootstrap': return bootstrapLike(n, spec, rng, isPublic)
    case 'full': return full(n)
  }
}
