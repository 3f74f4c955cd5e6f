/**
 * One write per transaction: a store write first claims its tx id. A claim waits while another write
 * of the same id is in flight (and is refused if that one succeeds), so two concurrent writes of one
 * transaction never both persist it, and it never gets two journal sequence numbers.
 */

/** A claimed write; `end(ok)` must be called once it succeeded or failed. */
export interface WriteClaim {
  end: (ok: boolean) => void
}

/** The writes in flight, by tx id. */
export class WriteClaims {
  private readonly inFlight = new Map<string, Promise<boolean>>()

  /**
   * Waits until no write of `id` is in flight; undefined when one ended successfully meanwhile or
   * `isStored(id)` says the database holds it, else the claim (registered before this resolves).
   */
  async claim (id: string, isStored: () => Promise<boolean>): Promise<WriteClaim | undefined> {
    for (;;) {
      const other = this.inFlight.get(id)
      if (other !== undefined) {
        if (await other) return undefined
        continue
      }
      if (await isStored()) {
        if (!this.inFlight.has(id)) return undefined
        continue
      }
      if (this.inFlight.has(id)) continue
      let end!: (ok: boolean) => void
      const done = new Promise<boolean>(resolve => { end = resolve })
      this.inFlight.set(id, done)
      return {
        end: ok => {
          if (this.inFlight.get(id) === done) this.inFlight.delete(id)
          end(ok)
        }
      }
    }
  }

  /** Writes in flight now. */
  get size (): number {
    return this.inFlight.size
  }
}
