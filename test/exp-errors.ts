import net from 'node:net'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createCa, issueCertificate } from '../src/certs/dev-ca.ts'
import { SorchaClient } from '../src/client/index.ts'
import { startMemoryGateway } from './helpers/memory-gateway.ts'

const dir = mkdtempSync(join(tmpdir(), 'exp-'))
const ca = createCa({})
const node = issueCertificate(ca, 'node', { commonName: 'node', hosts: ['node.test'] })
const node2 = issueCertificate(ca, 'node', { commonName: 'node', hosts: ['localhost', '127.0.0.1'] })
const otherCa = createCa({})
writeFileSync(join(dir, 'n.crt'), node.cert); writeFileSync(join(dir, 'n.key'), node.key)
writeFileSync(join(dir, 'n2.crt'), node2.cert); writeFileSync(join(dir, 'n2.key'), node2.key)
async function tryIt (label: string, opts: ConstructorParameters<typeof SorchaClient>[0]) {
  const c = new SorchaClient({ maxAttempts: 1, timeoutMs: 1500, ...opts })
  try { await c.nodeInfo(); console.log(label, 'OK') } catch (e) { console.log(label, '=>', (e as Error).name, JSON.stringify((e as Error).message)) } finally { c.close() }
}
await tryIt('refused', { endpoints: { grpc: '127.0.0.1:1', rest: 'http://127.0.0.1:1' } })
const black = net.createServer(() => {}).listen(0, '127.0.0.1'); await new Promise(r => black.once('listening', r))
const bp = (black.address() as net.AddressInfo).port
await tryIt('timeout', { endpoints: { grpc: `127.0.0.1:${bp}`, rest: `http://127.0.0.1:${bp}` } })
const { gateway: gw } = await startMemoryGateway({ tls: { cert: join(dir, 'n.crt'), key: join(dir, 'n.key') } })
const port = (u: string) => new URL(u).port
await tryIt('mismatch', { endpoints: { grpc: gw.grpcAddress, rest: gw.restUrl }, tls: { ca: ca.cert } })
const { gateway: gw2 } = await startMemoryGateway({ tls: { cert: join(dir, 'n2.crt'), key: join(dir, 'n2.key') }, token: 'tok' })
await tryIt('untrusted', { endpoints: { grpc: gw2.grpcAddress, rest: gw2.restUrl }, tls: { ca: otherCa.cert } })
await tryIt('untrusted-system', { endpoints: { grpc: gw2.grpcAddress, rest: gw2.restUrl }, tls: {} })
await tryIt('plain-to-tls', { endpoints: { grpc: gw2.grpcAddress, rest: gw2.restUrl.replace('https', 'http') } })
await tryIt('notoken', { endpoints: { grpc: gw2.grpcAddress, rest: gw2.restUrl }, tls: { ca: ca.cert } })
await tryIt('badtoken', { endpoints: { grpc: gw2.grpcAddress, rest: gw2.restUrl }, tls: { ca: ca.cert }, token: 'x' })
await tryIt('ok', { endpoints: { grpc: gw2.grpcAddress, rest: gw2.restUrl }, tls: { ca: ca.cert }, token: 'tok' })
const { gateway: gw3 } = await startMemoryGateway({})
await tryIt('wrong-ports-swapped', { endpoints: { grpc: `127.0.0.1:${port(gw3.restUrl)}`, rest: `http://${gw3.grpcAddress}` } })
await tryIt('rest-only-404', { endpoints: { rest: gw3.restUrl + '/nope/' } })
await gw.stop(); await gw2.stop(); await gw3.stop(); black.close()
