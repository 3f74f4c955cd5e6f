/**
 * The protocols a scenario can name in `protocol.name`, each a binding to a core in protocols/.
 * Tests may register their own small cores; the built-in ones are added in ./index.ts.
 */
import type { ProtocolBinding, SimCore } from '../engine/types.ts'

/** A scenario names a protocol the simulator does not know. */
export class UnknownProtocolError extends Error {
  override name = 'UnknownProtocolError'
}

const bindings = new Map<string, ProtocolBinding>()

/** Makes a binding available by its name (replacing one of the same name). */
export function registerProtocol<C extends SimCore> (binding: ProtocolBinding<C>): void {
  bindings.set(binding.name, binding as unknown as ProtocolBinding)
}

/** The binding for a protocol name. */
export function getProtocol (name: string): ProtocolBinding {
  const b = bindings.get(name)
  if (b === undefined) throw new UnknownProtocolError(`unknown protocol ${JSON.stringify(name)}; known: ${[...bindings.keys()].sort().join(', ') || '(none)'}`)
  return b
}

/** Names of the registered protocols. */
export function protocolNames (): string[] { return [...bindings.keys()].sort() }
