/** The simulator's built-in protocol bindings, registered on import. */
import { registerProtocol } from './registry.ts'
import { txGossipBinding } from './tx-gossip.ts'

export { registerProtocol, getProtocol, protocolNames, UnknownProtocolError } from './registry.ts'

registerProtocol(txGossipBinding)
