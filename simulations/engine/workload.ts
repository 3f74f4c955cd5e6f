/**
 * The transactions a run publishes: who publishes each one, its size and its bytes, all from the
 * run's seed. Shared by the simulated and the real-node mode, so both publish the same transactions
 * from the same publishers.
 */
import { createHash } from 'node:crypto'
import type { Rng } from '../../protocols/common/rng.ts'
import { internalized } from './peer-ids.ts'
import type { WorkloadPlan } from './plan.ts'
import type { SimTransaction } from './types.ts'
import { registerOfTx, type RegisterLayout } from './registers.ts'

/** Generates the workload's transactions in order. */
export class Workload {
  private readonly plan: WorkloadPlan
  private readonly rng: Rng
  private readonly publishers: number[] = []
  private readonly layout: RegisterLayout | undefined

  /**
   * `nodes`: the initial node count (fixed publishers are chosen among them, and among those
   * `eligible` accepts if given: an adversary's attackers never publish); `layout`: a register
   * scenario's.
   */
  constructor (plan: WorkloadPlan, nodes: number, rng: Rng, layout?: RegisterLayout, eligible?: (node: number) => boolean) {
    this.plan = plan
    this.rng = rng
    this.layout = layout
    if (plan.publishers !== 'all') {
      const all = Array.from({ length: nodes }, (_, i) => i).filter(i => eligible?.(i) ?? true)
      this.publishers.push(...rng.sample(all, plan.publishers))
    }
  }

  /** Virtual time at which transaction `index` is published. */
  timeOf (index: number): number {
    return this.plan.startMs + index * 1000 / this.plan.ratePerSec
  }

  /**
   * Transaction `index`, published at `now` by one of the fixed publishers, or by a random live node
   * when publishers is 'all' or the chosen one is gone.
   */
  make (index: number, now: number, isLive: (node: number) => boolean, pickLive: (rng: Rng) => number): SimTransaction {
    const { rng, plan } = this
    let publisher = this.publishers.length > 0 ? this.publishers[rng.int(this.publishers.length)]! : -1
    if (publisher < 0 || !isLive(publisher)) publisher = pickLive(rng)
    const size = plan.sizeMinBytes + rng.int(plan.sizeMaxBytes - plan.sizeMinBytes + 1)
    const payload = new Uint8Array(size)
    for (let i = 0; i < size; i += 4) {
      const r = rng.int(0x100000000)
      for (let k = 0; k < 4 && i + k < size; k++) payload[i + k] = (r >>> (8 * k)) & 0xff
    }
    const digest = createHash('sha256').update(payload).digest()
    const key = internalized(digest.toString('hex'))
    // A register scenario: one of the publisher's registers, which its announcements name (SPEC.md §3.7).
    if (this.layout !== undefined) {
      const register = registerOfTx(this.layout, publisher, index)
      return { index, id: new Uint8Array(digest), key, payload, registerId: register, register, publisher, publishedAt: now }
    }
    return { index, id: new Uint8Array(digest), key, payload, registerId: plan.registerId, publisher, publishedAt: now }
  }
}
