/**
 * Direct peer-to-peer messages (/sorcha/direct/1.0.0) as a libp2p service, and its contribution to
 * the node: `SorchaNode.create(config, { contributions: [directContribution] })` makes it available
 * as `node.libp2p.services.direct`.
 */
import type { ServiceContribution } from '../node/sorcha-node.ts'
import { DIRECT_NODE_MAX_MESSAGE_BYTES_CAP } from './constants.ts'
import { DefaultDirectMessaging } from './direct-messaging.ts'
import type { DirectMessagingComponents, DirectMessagingInit } from './types.ts'

export { DefaultDirectMessaging } from './direct-messaging.ts'
export * from './types.ts'
export * from './errors.ts'
export { NO_LISTENER, type DirectReceiver } from './delivery.ts'
export { DIRECT_NODE_MAX_MESSAGE_BYTES_CAP, DIRECT_PROTOCOL, TOPIC_PATTERN } from './constants.ts'

/** The service's name in the node's service map. */
export const DIRECT_SERVICE = 'direct'

/** js-libp2p service factory: `directMessaging(init)(components)`. */
export function directMessaging (init: DirectMessagingInit = {}): (components: DirectMessagingComponents) => DefaultDirectMessaging {
  return components => new DefaultDirectMessaging(components, init)
}

/** Adds the direct-message service to a node, sized by the gateway's message limit. */
export const directContribution: ServiceContribution = context => ({
  [DIRECT_SERVICE]: directMessaging({ maxMessageBytes: Math.min(context.config.gateway.maxMessageBytes, DIRECT_NODE_MAX_MESSAGE_BYTES_CAP) })
})
