/**
 * Register scoping (SPEC.md §3.7): which registers this node fetches, which registers each
 * neighbour serves (as its peer record says), and the register of each transaction in the recent
 * list. All of it is created on first use: a core that never hears of registers (the simulator's
 * older scenarios, a node serving every register whose peers advertise nothing) pays one field.
 */
import type { PeerHandle, RegisterSet, TxKey } from './types.ts'

/** What a neighbour is known to do with a register's transactions. */
export type PeerInterest = 'serves' | 'unknown' | 'not-served'

/** The register knowledge of one core. */
export class RegisterScope {
  /** Registers this node fetches; undefined: every register. */
  served: ReadonlySet<string> | undefined = undefined
  /** Registers of neighbours whose peer record lists them ('all': relays and nodes serving all); absent: unknown. */
  private readonly peers = new Map<PeerHandle, ReadonlySet<string> | 'all'>()
  /** Registers of the transactions in the recent list (kept in step with it by the core). */
  private readonly held = new Map<TxKey, string>()

  /** Sets the registers this node fetches. */
  serve (registers: RegisterSet): void {
    this.served = registers === 'all' ? undefined : new Set(registers)
  }

  /** True if this node fetches transactions of `register` (an unknown register: yes). */
  serves (register: string | undefined): boolean {
    return register === undefined || this.served === undefined || this.served.has(register)
  }

  /** Records what a neighbour serves (undefined: unknown). */
  setPeer (peer: PeerHandle, registers: RegisterSet | undefined): void {
    if (registers === undefined) this.peers.delete(peer)
    else this.peers.set(peer, registers === 'all' ? 'all' : new Set(registers))
  }

  /** Forgets a neighbour that went away. */
  dropPeer (peer: PeerHandle): void {
    this.peers.delete(peer)
  }

  /** What `peer` does with transactions of `register` (an unknown register: it serves it, as far as anyone knows). */
  interest (peer: PeerHandle, register: string | undefined): PeerInterest {
    const known = this.peers.get(peer)
    if (known === undefined) return register === undefined ? 'serves' : 'unknown'
    return register === undefined || known === 'all' || known.has(register) ? 'serves' : 'not-served'
  }

  /** True if `peer` may want transactions of `register` (it serves it, or nobody knows). */
  mayWant (peer: PeerHandle, register: string | undefined): boolean {
    return this.interest(peer, register) !== 'not-served'
  }

  /** Remembers the register of a transaction entering the recent list. */
  hold (id: TxKey, register: string | undefined): void {
    if (register !== undefined) this.held.set(id, register)
  }

  /** Forgets a transaction leaving the recent list. */
  release (id: TxKey): void {
    this.held.delete(id)
  }

  /** The register of a transaction in the recent list, if known. */
  registerOf (id: TxKey): string | undefined {
    return this.held.size === 0 ? undefined : this.held.get(id)
  }
}
