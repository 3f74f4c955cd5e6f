/**
 * Address and NAT discovery for a Sorcha node: the address service as a libp2p service, and the
 * contribution that adds it to a node (`SorchaNode.create(config, { contributions: [natContribution] })`).
 */
import type { ServiceMap } from '@libp2p/interface'
import type { Config } from '../config/index.ts'
import type { NodeContext } from '../node/sorcha-node.ts'
import { DefaultAddressService, type AddressServiceComponents, type AddressServiceInit } from './address-service.ts'

export { DefaultAddressService, type AddressServiceInit, type AddressServiceComponents, type AddressStatus, type AddressServiceEvents } from './address-service.ts'
export { detectNat, type NatReport, type AddressMethod, type DetectOptions } from './detect.ts'

/** The libp2p service name the contribution uses: `node.libp2p.services.address`. */
export const ADDRESS_SERVICE_NAME = 'address'

/** js-libp2p service factory: `address: addressService(init)`. */
export function addressService (init: AddressServiceInit = {}): (components: AddressServiceComponents) => DefaultAddressService {
  return components => new DefaultAddressService(components, init)
}

/** The service's options from the node configuration. */
export function addressServiceInit (config: Readonly<Config>): AddressServiceInit {
  return {
    stunServers: config.nat.stunServers,
    httpLookup: config.nat.httpLookup,
    forceType: config.nat.forceType,
    announce: config.announce,
    behaviourTests: config.nat.behaviourTests,
    recheckIntervalMs: config.nat.recheckIntervalMs,
    httpTimeoutMs: config.nat.httpTimeoutMs,
    timing: { rtoMs: config.nat.stunRtoMs, maxRequests: config.nat.stunMaxRequests, lastWaitFactor: config.nat.stunLastWaitFactor }
  }
}

/** The libp2p service name of the AutoNAT v2 service the contribution adds. */
export const AUTONAT_V2_SERVICE_NAME = 'autonatV2'

/**
 * Adds the address service to a node (a ServiceContribution), together with AutoNAT v2
 * (@libp2p/autonat-v2), which verifies addresses with a real dial-back on a fresh connection and a
 * nonce. Stock AutoNAT v1 in js-libp2p 3.3 cannot verify anything over a direct connection: its server
 * "dials" by reusing the connection the request came on, then closes it (see docs/address-and-nat.md).
 */
export function natContribution (context: NodeContext): ServiceMap {
  return {
    [ADDRESS_SERVICE_NAME]: addressService(addressServiceInit(context.config))
  } as unknown as ServiceMap
}
