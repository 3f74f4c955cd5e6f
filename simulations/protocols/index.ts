/** The simulator's built-in protocol bindings, registered on import. */
import { registerProtocol } from './registry.ts'
import { txGossipBinding } from './tx-gossip.ts'

export { registerProtocol, getProtocol, protocolNames, UnknownProtocolError } from './registry.ts'

registerProtocol(txGossipBinding)

const builtIn = new Set<string>([txGossipBinding.name])

/**
 * True for the protocols every thread knows by importing this module: a worker of a parallel run
 * (engine/worker.ts) can build their cores, but not those a test registered in its own thread.
 */
export function isBuiltInProtocol (name: string): boolean { return builtIn.has(name) }
