/**
 * Partial bodies being fetched, as chunks in arrival order. The core decides which chunk extends
 * which body (`append` effects, always at the current end); this only holds the bytes. The number
 * and total size of assemblies are bounded by the core's maxInflight and maxInflightBytes.
 */
import type { TransactionNotification } from '../../protocols/models/index.ts'

interface Assembly {
  notification: TransactionNotification | undefined
  parts: Uint8Array[]
  received: number
  /** The peer of the first chunk, and the hops it carried. */
  from: string
  hops: number
}

/** An assembled body. */
export interface AssembledBody {
  notification: TransactionNotification | undefined
  payload: Uint8Array
  from: string
  hops: number
}

/** The assemblies of one node. */
export class Assemblies {
  private readonly map = new Map<string, Assembly>()

  /** How many bodies are being assembled. */
  get size (): number {
    return this.map.size
  }

  /** Appends a chunk at `offset` (0 starts over, with the notification, peer and hops of the first chunk). */
  append (id: string, offset: number, data: Uint8Array, notification?: TransactionNotification, from = '', hops = 0): void {
    let assembly = this.map.get(id)
    if (offset === 0 || assembly === undefined) {
      assembly = { notification, parts: [], received: 0, from, hops }
      this.map.set(id, assembly)
    }
    if (assembly.received !== offset) return
    assembly.parts.push(data)
    assembly.received += data.length
  }

  /** The register of a body being assembled (from its first chunk's notification). */
  registerOf (id: string): string | undefined {
    return this.map.get(id)?.notification?.registerId
  }

  /** Removes and returns the assembled body with its notification, first peer and hops. */
  take (id: string): AssembledBody | undefined {
    const assembly = this.map.get(id)
    if (assembly === undefined) return undefined
    this.map.delete(id)
    const payload = assembly.parts.length === 1 ? assembly.parts[0] as Uint8Array : concat(assembly.parts, assembly.received)
    return { notification: assembly.notification, payload, from: assembly.from, hops: assembly.hops }
  }

  /** Drops a partial body. */
  discard (id: string): void {
    this.map.delete(id)
  }

  /** Drops everything. */
  clear (): void {
    this.map.clear()
  }
}

function concat (parts: Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length)
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}
