/**
 * A tiny synchronous network of reconciliation cores for unit tests: `send` effects are delivered
 * at once (in order), `need` effects are recorded and, when `pull` is on, answered by adding the
 * items from the run's table (as the node's store would once the bodies arrived). Bytes are the
 * real wire encoding (protocols/reconcile/wire.ts) plus the length prefix.
 */
import { createRng, type Rng } from '../../../../protocols/common/rng.ts'
import { createReconcileCore, type IndexedItem, type ReconcileConfig, type ReconcileCore, type ReconcileEffect, type ReconcileInput, type ReconcileMessage } from '../../../../protocols/reconcile/index.ts'
import { framePrefix } from '../../../../src/gossip/frame-decoder.ts'
import { encodeReconcile } from '../../../../protocols/reconcile/index.ts'

/** Random items: 64-hex ids, timestamps in [from, to). */
export function randomItems (rng: Rng, count: number, from: number, to: number, register = 'r'): IndexedItem[] {
  const out: IndexedItem[] = []
  for (let i = 0; i < count; i++) {
    let id = ''
    for (let k = 0; k < 8; k++) id += rng.int(0x100000000).toString(16).padStart(8, '0')
    out.push({ id, ts: from + rng.int(to - from), size: 1 + rng.int(5000), register })
  }
  return out
}

/** Bytes a message takes on the wire (frame + length prefix). */
export function wireBytes (message: ReconcileMessage): number {
  const frame = encodeReconcile(message)
  return frame.length + framePrefix(frame.length).length
}

/** One node of the harness. */
export interface HarnessNode {
  core: ReconcileCore
  needs: Map<string, number>
  verdicts: string[]
  traces: string[]
}

/** The network. */
export class Harness {
  readonly nodes = new Map<string, HarnessNode>()
  readonly table = new Map<string, IndexedItem>()
  now: number
  pull = false
  bytes = 0
  messages = 0
  private readonly queue: Array<[string, ReconcileInput]> = []

  constructor (now: number) {
    this.now = now
  }

  add (name: string, config: Partial<ReconcileConfig>, items: readonly IndexedItem[], seed = 1): HarnessNode {
    const node: HarnessNode = { core: createReconcileCore(config, createRng(seed)), needs: new Map(), verdicts: [], traces: [] }
    this.nodes.set(name, node)
    for (const item of items) this.table.set(item.id, item)
    this.feed(name, { type: 'load', now: this.now, items })
    return node
  }

  /** Connects a (dialler) to b. */
  connect (a: string, b: string): void {
    this.feed(a, { type: 'peer-up', now: this.now, peer: b, outbound: true })
    this.feed(b, { type: 'peer-up', now: this.now, peer: a, outbound: false })
  }

  /** Feeds an input and runs everything it causes. */
  feed (name: string, input: ReconcileInput): void {
    this.queue.push([name, input])
    while (this.queue.length > 0) {
      const [at, next] = this.queue.shift()!
      for (const effect of this.nodes.get(at)!.core.handle(next)) this.apply(at, effect)
    }
  }

  tick (name: string): void {
    this.feed(name, { type: 'tick', now: this.now })
  }

  private apply (at: string, effect: ReconcileEffect): void {
    const node = this.nodes.get(at)!
    switch (effect.type) {
      case 'send':
        this.bytes += wireBytes(effect.message)
        this.messages++
        if (this.nodes.has(effect.peer)) this.queue.push([effect.peer, { type: 'message', now: this.now, from: at, message: effect.message }])
        return
      case 'need':
        for (const item of effect.items) node.needs.set(item.id, (node.needs.get(item.id) ?? 0) + 1)
        if (this.pull) for (const item of effect.items) this.queue.push([at, { type: 'add', now: this.now, item: this.table.get(item.id)! }])
        return
      case 'verdict': node.verdicts.push(`${effect.verdict}:${effect.code}`); return
      case 'trace': node.traces.push(effect.event); return
      case 'schedule': return
    }
  }
}
