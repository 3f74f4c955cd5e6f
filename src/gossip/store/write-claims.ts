/**
 * One write per transaction: a store write first claims its tx id. A claim waits while another write
 * of the same id is in flight (and is refused if that one succeeds), so two concurrent writes of one
 * transaction never both persist it, and it never gets two journal sequence numbers.
 *
 * The common case, a transaction nobody else is writing and that the store certainly does not hold,
 * is claimed synchronously (tryClaim): no promise unless someone has to wait for the claim.
 */

/** A claimed write; `end(ok)` must be called once it succeeded or failed. */
export interface WriteClaim {
  end: (ok: boolean) => void
}

/** A write in flight; its promise is made only when another write of the same id waits for it. */
class Claim implements WriteClaim {
  private readonly claims: Map<string, Claim>
  private readonly id: string
  private waiters: PromiseWithResolvers<boolean> | undefined

  constructor (claims: Map<string, Claim>, id: string) {
    this.claims = claims
    this.id = id
  }

  /** Resolves with the write's outcome (true: it stored the transaction). */
  ended (): Promise<boolean> {
    this.waiters ??= Promise.withResolvers<boolean>()
    return this.waiters.promise
  }

  end (ok: boolean): void {
    if (this.claims.get(this.id) === this) this.claims.delete(this.id)
    this.waiters?.resolve(ok)
  }
}

/** The writes in flight, by tx id. */
export class WriteClaims {
  private readonly inFlight = new Map<string, Claim>()

  /**
   * Claims `id` at once if no write of it is in flight and `isNew()` (synchronous) says the database
   * certainly does not hold it; undefined otherwise (then ask claim(), which waits and checks).
   */
  tryClaim (id: string, isNew: () => boolean): WriteClaim | undefined {
    if (this.inFlight.has(id) || !isNew()) return undefined
    const claim = new Claim(this.inFlight, id)
    this.inFlight.set(id, claim)
    return claim
  }

  /**
   * Waits until no write of `id` is in flight; undefined when one ended successfully meanwhile or
   * `isStored(id)` says the database holds it, else the claim (registered before this resolves).
   */
  async claim (id: string, isStored: () => Promise<boolean>): Promise<WriteClaim | undefined> {
    for (;;) {
      const other = this.inFlight.get(id)
      if (other !== undefined) {
        if (await other.ended()) return undefined
        continue
      }
      if (await isStored()) {
        if (!this.inFlight.has(id)) return undefined
        continue
      }
      if (this.inFlight.has(id)) continue
      const claim = new Claim(this.inFlight, id)
      this.inFlight.set(id, claim)
      return claim
    }
  }

  /** True while a write of `id` is in flight. */
  has (id: string): boolean {
    return this.inFlight.has(id)
  }

  /** Writes in flight now. */
  get size (): number {
    return this.inFlight.size
  }
}
