/**
 * NAT lab helper, run inside the lab's public namespace: one Sorcha node "P" with the address service,
 * and plain js-libp2p peers (TCP, Noise, Yamux, identify, AutoNAT v2) that serve as AutoNAT verifiers,
 * one per IP address given. The verifiers dial P (so P is reachable by construction: it has a public
 * address and no NAT). Prints JSON lines on stdout: {event:'ready', helpers}, {event:'status', status}.
 *
 * Usage: autonat-public.ts <P ip> <verifier ip>...
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { autoNATv2 } from '@libp2p/autonat-v2'
import { identify } from '@libp2p/identify'
import { noise } from '@libp2p/noise'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p, type Libp2p } from 'libp2p'
import { resolveConfig } from '../../src/config/index.ts'
import { natContribution, type DefaultAddressService } from '../../src/nat/index.ts'
import { SorchaNode } from '../../src/node/sorcha-node.ts'

const [pIp, ...helperIps] = process.argv.slice(2)
const print = (value: unknown): void => { process.stdout.write(`${JSON.stringify(value)}\n`) }
const dir = await mkdtemp(join(tmpdir(), 'sorcha-autonat-public-'))
const config = resolveConfig({ file: { path: 'lab', data: { dataDir: dir, listen: [`/ip4/${pIp}/tcp/4100`], log: { level: 'silent' }, connections: { inboundPerIpPerSecond: 1000 } } } })
const p = await SorchaNode.create(config, { contributions: [natContribution] })
const address = (p.libp2p.services as unknown as { address: DefaultAddressService }).address
address.addEventListener('address:changed', evt => { print({ event: 'status', status: evt.detail }) })
await p.start()

const helpers: Libp2p[] = []
for (const ip of helperIps) {
  helpers.push(await createLibp2p({
    addresses: { listen: [`/ip4/${ip}/tcp/4100`] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify(), autonatV2: autoNATv2() }
  }))
}
const target = multiaddr(`/ip4/${pIp}/tcp/4100/p2p/${p.peerId.toString()}`)
for (const h of helpers) await h.dial(target)
print({ event: 'ready', p: target.toString(), helpers: helpers.map((h, i) => `/ip4/${helperIps[i]}/tcp/4100/p2p/${h.peerId.toString()}`) })
print({ event: 'status', status: address.status() })

const shutdown = async (): Promise<void> => {
  await Promise.allSettled([p.stop(), ...helpers.map(async h => h.stop())])
  await rm(dir, { recursive: true, force: true })
  process.exit(0)
}
process.on('SIGTERM', () => { void shutdown() })
