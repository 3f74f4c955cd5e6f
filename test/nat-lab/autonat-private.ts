/**
 * NAT lab helper, run inside a client namespace behind a NAT: one Sorcha node "N" with the address
 * service configured with the lab's STUN server. Once STUN has found the external address (and the
 * service has offered it to libp2p), N dials the AutoNAT verifiers one by one. Prints JSON lines:
 * {event:'status', status} on every change, {event:'dialled', count} after each dial.
 *
 * Usage: autonat-private.ts <stun host:port> <verifier multiaddr>...
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { resolveConfig } from '../../src/config/index.ts'
import { natContribution, type AddressStatus, type DefaultAddressService } from '../../src/nat/index.ts'
import { SorchaNode } from '../../src/node/sorcha-node.ts'

const [stun, ...verifiers] = process.argv.slice(2)
const print = (value: unknown): void => { process.stdout.write(`${JSON.stringify(value)}\n`) }
const dir = await mkdtemp(join(tmpdir(), 'sorcha-autonat-private-'))
const config = resolveConfig({
  file: {
    path: 'lab',
    data: {
      dataDir: dir, listen: ['/ip4/0.0.0.0/tcp/4100'], log: { level: 'silent' },
      nat: { stunServers: [stun as string], stunRtoMs: 100, stunMaxRequests: 3, stunLastWaitFactor: 4 }
    }
  }
})
const n = await SorchaNode.create(config, { contributions: [natContribution] })
const address = (n.libp2p.services as unknown as { address: DefaultAddressService }).address
const stunDone = new Promise<AddressStatus>(resolve => {
  address.addEventListener('address:changed', evt => {
    print({ event: 'status', status: evt.detail })
    if (evt.detail.method === 'stun') resolve(evt.detail)
  })
})
await n.start()
await stunDone
let count = 0
for (const v of verifiers) {
  await n.libp2p.dial(multiaddr(v))
  print({ event: 'dialled', count: ++count })
}

process.on('SIGTERM', () => {
  void Promise.allSettled([n.stop()]).then(async () => { await rm(dir, { recursive: true, force: true }); process.exit(0) })
})
