/**
 * Push trees (SPEC.md §3.8): per publisher (origin), the neighbour this node takes that publisher's
 * transactions from (its parent) and the neighbours that asked for them to be pushed (its children).
 *
 * Each node picks as parent the neighbour that offered it the origin's latest transaction first
 * (announced or pushed), so that the parents form, per origin, the tree of the fastest paths, and
 * the bodies flow down it at one one-way delay per hop, once per node. Everything else the node
 * still announces (the lazy part), which both repairs a broken tree and tells a node when another
 * path has become faster.
 *
 * Bounded: at most `maxOrigins` origins (the least recently used is forgotten: its transactions are
 * announced and pulled, as without trees, until the tree forms again) and, per origin, no more
 * children than the core has neighbours.
 */
import { verdict, type CoreState, type Effects } from './state.ts'
import type { InvItem, Origin, PeerHandle } from './types.ts'

/** What a node knows of one origin's tree. */
export interface OriginTree {
  /** The neighbour this node asked (graft) to push the origin's transactions to it. */
  parent: PeerHandle | undefined
  /** The last neighbour told to stop (prune), so that its copies already on the way are not pruned again. */
  pruned: PeerHandle | undefined
  /** Neighbours that asked this node to push them the origin's transactions. */
  children: PeerHandle[]
}

/** An announcement waiting for the parent's push (see PushTrees.defer). */
interface Deferred {
  at: number
  item: InvItem
  from: PeerHandle
}

/** The per-origin trees of one core, and the announcements waiting for a parent's push. */
export class PushTrees {
  private readonly trees = new Map<Origin, OriginTree>()
  private readonly maxOrigins: number
  // Deferred announcements, a FIFO: every one waits the same time, so deadlines come in order.
  private deferred: Deferred[] = []
  private head = 0
  private readonly maxDeferred: number

  constructor (maxOrigins: number, maxDeferred: number) {
    this.maxOrigins = maxOrigins
    this.maxDeferred = maxDeferred
  }

  /** Origins remembered. */
  get size (): number {
    return this.trees.size
  }

  /** The tree of `origin`, if remembered (without touching its recency). */
  peek (origin: Origin): OriginTree | undefined {
    return this.trees.get(origin)
  }

  /** The tree of `origin`, made (evicting the least recently used one) if new, and marked recently used. */
  get (origin: Origin): OriginTree {
    let tree = this.trees.get(origin)
    if (tree !== undefined) {
      // Map order is insertion order: moving to the back keeps the least recently used in front.
      this.trees.delete(origin)
      this.trees.set(origin, tree)
      return tree
    }
    tree = { parent: undefined, pruned: undefined, children: [] }
    this.trees.set(origin, tree)
    if (this.trees.size > this.maxOrigins) this.trees.delete(this.trees.keys().next().value as Origin)
    return tree
  }

  /** `peer` asked for the origin's transactions (graft); false if it already had them. */
  addChild (origin: Origin, peer: PeerHandle): boolean {
    const tree = this.get(origin)
    if (tree.children.includes(peer)) return false
    tree.children.push(peer)
    return true
  }

  /** `peer` asked to stop receiving the origin's transactions (prune). */
  removeChild (origin: Origin, peer: PeerHandle): void {
    const tree = this.trees.get(origin)
    if (tree === undefined) return
    const at = tree.children.indexOf(peer)
    if (at >= 0) tree.children.splice(at, 1)
  }

  /** Forgets `peer` everywhere (it went away); its deferred announcements are dropped when due. */
  dropPeer (peer: PeerHandle): void {
    for (const tree of this.trees.values()) {
      if (tree.parent === peer) tree.parent = undefined
      if (tree.pruned === peer) tree.pruned = undefined
      const at = tree.children.indexOf(peer)
      if (at >= 0) tree.children.splice(at, 1)
    }
  }

  /** Holds `item` from `from` until `at`; false if too many wait already. */
  defer (at: number, item: InvItem, from: PeerHandle): boolean {
    if (this.deferred.length - this.head >= this.maxDeferred) return false
    // The item object may be the runtime's, reused for its next input: keep a copy.
    this.deferred.push({ at, item: { ...item }, from })
    return true
  }

  /** When the first deferred announcement is due. */
  nextDue (): number | undefined {
    return this.head < this.deferred.length ? (this.deferred[this.head] as Deferred).at : undefined
  }

  /** Removes and returns the deferred announcements due at `now`. */
  due (now: number): Deferred[] {
    const out: Deferred[] = []
    while (this.head < this.deferred.length && (this.deferred[this.head] as Deferred).at <= now) out.push(this.deferred[this.head++] as Deferred)
    if (this.head === this.deferred.length) {
      this.deferred = []
      this.head = 0
    } else if (this.head >= 64 && this.head * 2 >= this.deferred.length) {
      this.deferred = this.deferred.slice(this.head)
      this.head = 0
    }
    return out
  }
}

// The core's handling of push trees.

/** Validity of an origin tag: an integer from 1 to 2^32 - 1. */
export function isValidOrigin (origin: unknown): origin is Origin {
  return typeof origin === 'number' && Number.isInteger(origin) && origin >= 1 && origin <= 0xffffffff
}

function validOrigins (list: unknown, max: number): boolean {
  return Array.isArray(list) && list.length <= max && list.every(isValidOrigin)
}

/**
 * A tree message from `from`: it wants the bodies of the `graft` origins pushed to it from now on,
 * and no more of the `prune` ones. A core without push trees ignores it (an older node does too).
 */
export function onTree (state: CoreState, from: PeerHandle, graft: readonly Origin[], prune: readonly Origin[], out: Effects): void {
  const max = state.config.maxItemsPerMessage
  if (!validOrigins(graft, max) || !validOrigins(prune, max)) return verdict(state, out, from, 'reject', 'bad-origin')
  const trees = state.trees
  if (trees === undefined || !state.neighbours.has(from)) return
  for (let i = 0; i < prune.length; i++) trees.removeChild(prune[i] as Origin, from)
  for (let i = 0; i < graft.length; i++) trees.addChild(graft[i] as Origin, from)
}

/** The neighbours that asked for `origin`'s bodies (none without push trees or an origin). */
export function childrenOf (state: CoreState, origin: Origin | undefined): readonly PeerHandle[] | undefined {
  if (origin === undefined || state.trees === undefined) return undefined
  const children = state.trees.peek(origin)?.children
  return children === undefined || children.length === 0 ? undefined : children
}

function sendTree (state: CoreState, peer: PeerHandle, origin: Origin, graft: boolean, out: Effects): void {
  if (graft) state.graftsSent++
  else state.prunesSent++
  out.push({ type: 'send', peer, message: { type: 'tree', graft: graft ? [origin] : [], prune: graft ? [] : [origin] } })
}

/**
 * A transaction of `origin` is now held, and `first` is the neighbour that offered it first
 * (announced or pushed it): the fastest path from the origin ran through `first`, so it becomes
 * this node's parent for the origin (graft), and the previous parent is told to stop (prune).
 */
export function adoptParent (state: CoreState, origin: Origin | undefined, first: PeerHandle, out: Effects): void {
  const trees = state.trees
  if (trees === undefined || origin === undefined || !state.neighbours.has(first)) return
  const tree = trees.get(origin)
  if (tree.parent === first) return
  const old = tree.parent
  tree.parent = first
  if (tree.pruned === first) tree.pruned = undefined
  sendTree(state, first, origin, true, out)
  if (old !== undefined && state.neighbours.has(old)) {
    tree.pruned = old
    sendTree(state, old, origin, false, out)
  }
}

/**
 * A body of `origin` arrived from `from` for a transaction already held or being received from
 * another peer: unless `from` is this node's parent for the origin (or was just told to stop), it
 * pushes copies this node does not need, so it is told to stop (prune).
 */
export function pruneDuplicate (state: CoreState, origin: Origin | undefined, from: PeerHandle, out: Effects): void {
  const trees = state.trees
  if (trees === undefined || origin === undefined || !state.neighbours.has(from)) return
  const tree = trees.get(origin)
  if (tree.parent === from || tree.pruned === from) return
  tree.pruned = from
  sendTree(state, from, origin, false, out)
}

/**
 * True if an announcement of `origin`'s transaction from `from` should wait for the parent's push
 * (SPEC.md §3.8): this node has a connected parent for the origin other than `from`. Then the body
 * is most likely on its way already, and asking `from` for it too would fetch it twice.
 */
export function awaitsPush (state: CoreState, origin: Origin | undefined, from: PeerHandle): boolean {
  if (origin === undefined || state.trees === undefined || state.config.pushTreeWaitMs === 0) return false
  const parent = state.trees.peek(origin)?.parent
  return parent !== undefined && parent !== from && state.neighbours.has(parent)
}
