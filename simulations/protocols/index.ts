/** The simulator's built-in protocol bindings, registered on import. */
export { registerProtocol, getProtocol, protocolNames, UnknownProtocolError } from './registry.ts'
