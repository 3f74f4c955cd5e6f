/**
 * `sorcha-peer id`: the node's peer id and the addresses other peers can dial it at. A listen address
 * on every interface (/ip4/0.0.0.0, /ip6/::) cannot be dialled as written, so it is expanded to this
 * host's interface addresses (loopback last, link-local left out); configured announce addresses come
 * first, as the node announces them. A listen port of 0 is picked when the node starts, so such an
 * address is left out with a note (`sorcha-peer status` shows the running node's addresses).
 */
import { networkInterfaces } from 'node:os'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { listInterfaceAddresses, type InterfaceSource } from '../../nat/interfaces.ts'
import { loadOrCreateIdentity } from '../../node/identity.ts'
import { configFromOptions } from '../config-flags.ts'

/** The dialable addresses (without /p2p/) for listen and announce addresses, and notes on what was left out. */
export interface Dialable {
  addresses: string[]
  notes: string[]
}

const WILDCARD = /^\/(ip4)\/0\.0\.0\.0(?=\/|$)|^\/(ip6)\/::(?=\/|$)/
const PORT_ZERO = /\/(tcp|udp)\/0(?=\/|$)/

/** Concrete addresses of this host for a wildcard family: interfaces in OS order, then loopback. */
function hostAddresses (family: 4 | 6, source: InterfaceSource): string[] {
  const addresses = listInterfaceAddresses(source).filter(a => a.family === family).map(a => a.address)
  return [...addresses, family === 4 ? '127.0.0.1' : '::1']
}

/** Expands wildcard listen addresses to this host's addresses; announce addresses first; no duplicates. */
export function dialableAddresses (listen: readonly string[], announce: readonly string[], source: InterfaceSource = networkInterfaces): Dialable {
  const out = new Set<string>(announce)
  const notes: string[] = []
  for (const address of listen) {
    if (PORT_ZERO.test(address)) {
      notes.push(`${address}: the port is picked when the node starts; sorcha-peer status shows it`)
      continue
    }
    const wildcard = WILDCARD.exec(address)
    if (wildcard === null) {
      out.add(address)
      continue
    }
    const family = wildcard[1] === 'ip4' ? 4 : 6
    const rest = address.slice(wildcard[0].length)
    for (const ip of hostAddresses(family, source)) out.add(`/ip${family}/${ip}${rest}`)
  }
  return { addresses: [...out], notes }
}

/** Prints the peer id (creating the identity if there is none) and the dialable /p2p/ addresses. */
export async function runId (options: Record<string, unknown>): Promise<void> {
  const config = await configFromOptions(options)
  const { privateKey, created, path } = await loadOrCreateIdentity(config.dataDir)
  const peerId = peerIdFromPrivateKey(privateKey).toString()
  const dialable = dialableAddresses(config.listen, config.announce)
  const addresses = dialable.addresses.map(a => `${a}/p2p/${peerId}`)
  if (options.json === true) {
    process.stdout.write(`${JSON.stringify({ peerId, addresses, listen: config.listen, announce: config.announce, identityFile: path, created })}\n`)
    return
  }
  process.stdout.write(`${peerId}\n${addresses.map(a => `  ${a}`).join('\n')}${addresses.length > 0 ? '\n' : ''}`)
  for (const note of dialable.notes) process.stderr.write(`note: ${note}\n`)
  if (created) process.stderr.write(`created a new identity in ${path}\n`)
}
