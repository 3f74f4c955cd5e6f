import assert from 'node:assert/strict'
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { openStorage } from '../../src/storage/index.ts'
import { cli } from '../helpers/cli.ts'
import { runCli, type CliRun } from '../helpers/cli-process.ts'
import { assertInGuide } from '../helpers/troubleshooting.ts'

/** Every listener on loopback and a free port, so that only the setting under test can fail. */
const FREE = { listen: ['--listen', '/ip4/127.0.0.1/tcp/0'], grpc: ['--gateway-grpc-port', '0'], rest: ['--gateway-rest-port', '0'], ops: ['--ops-port', '0'] }
const freeExcept = (name: keyof typeof FREE | 'none'): string[] => Object.entries(FREE).filter(([k]) => k !== name).flatMap(([, flags]) => flags)

/** The process exited by itself with `code` and wrote exactly one line to stderr, which it returns. */
function oneLine (run: CliRun, code: number): string {
  assert.equal(run.exited, true, `the process hung; stderr: ${run.stderr}`)
  assert.equal(run.code, code, run.stderr)
  const lines = run.stderr.split('\n').filter(l => l !== '')
  assert.equal(lines.length, 1, `one line on stderr, got:\n${run.stderr}`)
  assert.doesNotMatch(run.stderr, /\bat .*\.(ts|js):\d+/, 'no stack trace')
  return lines[0]!
}

/** Holds 127.0.0.1:<port> like another process would. */
async function occupy (): Promise<{ port: number, server: Server }> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return { port: (server.address() as { port: number }).port, server }
}

describe('start-up failures: exit code, one line naming setting, value and fix, and the process exits', () => {
  let root: string
  let taken: { port: number, server: Server }
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'sorcha-startup-'))
    taken = await occupy()
  })
  after(async () => {
    taken.server.close()
    await rm(root, { recursive: true, force: true })
  })
  const dir = (name: string): string => join(root, name)

  it('the libp2p listen address is taken: exit 1, and neither the API nor the ops listener ever started', async () => {
    const address = `/ip4/127.0.0.1/tcp/${taken.port}`
    const line = oneLine(await runCli(['start', '--data-dir', dir('listen'), '--listen', address, ...freeExcept('listen')]), 1)
    assert.equal(line, `sorcha-peer: cannot listen on ${address} (listen): address already in use: stop the other process or choose another port with --listen`)
    assertInGuide('listen-in-use', line)
    const verbose = await runCli(['start', '--data-dir', dir('listen'), '--listen', address, ...freeExcept('listen'), '--log-level', 'debug', '--log-format', 'json'])
    assert.equal(verbose.code, 1)
    const messages = verbose.stderr.split('\n').flatMap(l => { try { return [(JSON.parse(l) as { msg: string }).msg] } catch { return [] } })
    for (const msg of ['gRPC API listening', 'REST API listening', 'operations endpoints listening (/livez, /readyz)']) assert.ok(!messages.includes(msg), `${msg} logged`)
  })

  it('the gateway gRPC port is taken: exit 1', async () => {
    const line = oneLine(await runCli(['start', '--data-dir', dir('grpc'), '--gateway-grpc-port', String(taken.port), ...freeExcept('grpc')]), 1)
    assert.equal(line, `sorcha-peer: cannot listen on 127.0.0.1:${taken.port} (gateway.grpc.port): address already in use: stop the other process or choose another port with --gateway-grpc-port`)
    assertInGuide('gateway-port-in-use', line)
  })

  it('the gateway REST port is taken: exit 1', async () => {
    const line = oneLine(await runCli(['start', '--data-dir', dir('rest'), '--gateway-rest-port', String(taken.port), ...freeExcept('rest')]), 1)
    assert.equal(line, `sorcha-peer: cannot listen on 127.0.0.1:${taken.port} (gateway.rest.port): address already in use: stop the other process or choose another port with --gateway-rest-port`)
  })

  it('the ops port is taken: exit 1', async () => {
    const line = oneLine(await runCli(['start', '--data-dir', dir('ops'), '--ops-port', String(taken.port), ...freeExcept('ops')]), 1)
    assert.equal(line, `sorcha-peer: cannot listen on 127.0.0.1:${taken.port} (ops.port): address already in use: stop the other process or choose another port with --ops-port`)
  })

  it('the metrics port is taken: exit 1', async () => {
    const line = oneLine(await runCli(['start', '--data-dir', dir('metrics'), '--metrics-enabled', 'true', '--metrics-port', String(taken.port), ...freeExcept('none')]), 1)
    assert.equal(line, `sorcha-peer: cannot listen on 127.0.0.1:${taken.port} (metrics.port): address already in use: stop the other process or choose another port with --metrics-port`)
    assertInGuide('metrics-port-in-use', line)
  })

  const sysctl = async (name: string): Promise<number> => Number(await readFile(`/proc/sys/net/ipv4/${name}`, 'utf8').catch(() => 'NaN'))

  it('a listen address no interface has: exit 1', async (t) => {
    if (await sysctl('ip_nonlocal_bind') !== 0) { t.skip('net.ipv4.ip_nonlocal_bind is set: any address can be bound'); return }
    // 192.0.2.1 is TEST-NET-1 (RFC 5737): on no host's interface. Binding it sends nothing.
    const line = oneLine(await runCli(['start', '--data-dir', dir('notavail'), '--listen', '/ip4/192.0.2.1/tcp/4100', ...freeExcept('listen')]), 1)
    assert.equal(line, 'sorcha-peer: cannot listen on /ip4/192.0.2.1/tcp/4100 (listen): no interface of this host has that address: use one of this host\'s addresses, or 0.0.0.0 for all, with --listen')
    assertInGuide('listen-not-available', line)
  })

  it('a privileged port without the privilege: exit 1', async (t) => {
    if (!(await sysctl('ip_unprivileged_port_start') > 99)) { t.skip('net.ipv4.ip_unprivileged_port_start allows port 99 to everyone'); return }
    const line = oneLine(await runCli(['start', '--data-dir', dir('privileged'), '--listen', '/ip4/127.0.0.1/tcp/99', ...freeExcept('listen')], { unprivileged: true }), 1)
    assert.equal(line, 'sorcha-peer: cannot listen on /ip4/127.0.0.1/tcp/99 (listen): permission denied: ports below 1024 need CAP_NET_BIND_SERVICE; choose a port from 1024 up with --listen')
    assertInGuide('listen-privileged-port', line)
  })

  it('a listen address of a transport the node does not run (QUIC): exit 2 when the configuration is read', async () => {
    const line = oneLine(await runCli(['start', '--data-dir', dir('quic'), '--listen', '/ip4/127.0.0.1/udp/4100/quic-v1', ...freeExcept('listen')]), 2)
    assert.match(line, /^sorcha-peer: invalid configuration: listen = \["\/ip4\/127\.0\.0\.1\/udp\/4100\/quic-v1"\] \(from flag --listen\): item 0: QUIC is not supported: the node listens on TCP only; allowed: TCP multiaddrs/)
    assertInGuide('listen-unsupported-transport', line)
  })

  it('a bootstrap address with an invalid peer id, and a STUN server without a port: exit 2', async () => {
    const bootstrap = oneLine(await runCli(['start', '--data-dir', dir('boot'), '--bootstrap', '/ip4/127.0.0.1/tcp/4100/p2p/12D3KooWnotapeerid', ...freeExcept('none')]), 2)
    assert.match(bootstrap, /^sorcha-peer: invalid configuration: bootstrap = .* \(from flag --bootstrap\): item 0: "12D3KooWnotapeerid" is not a valid peer id; allowed:/)
    assertInGuide('bootstrap-bad-peer-id', bootstrap)
    const stun = oneLine(await runCli(['start', '--data-dir', dir('stun'), ...freeExcept('none')], { env: { SORCHA_NAT_STUN_SERVERS: 'stun.example.net' } }), 2)
    assert.match(stun, /^sorcha-peer: invalid configuration: nat\.stunServers = \["stun\.example\.net"\] \(from env SORCHA_NAT_STUN_SERVERS\): item 0: no port: write host:port/)
    assertInGuide('stun-no-port', stun)
  })

  it('the API on an address other machines reach with neither a token nor mutual TLS: exit 2 before anything starts', async () => {
    const line = oneLine(await runCli(['start', '--data-dir', dir('insecure'), ...freeExcept('rest'), '--gateway-rest-host', '0.0.0.0', '--gateway-rest-port', '0']), 2)
    assert.equal(line, 'sorcha-peer: refusing to serve the API on 0.0.0.0 (gateway.rest.host): other machines can reach it and it has neither an API token nor mutual TLS: set gateway.token or gateway.tokenFile, or gateway.tls.requireClientCert with tls.cert, tls.key and tls.ca, or listen on 127.0.0.1 with --gateway-rest-host; to serve it unprotected anyway, set gateway.allowInsecure (--gateway-allow-insecure true)')
    assertInGuide('api-insecure', line)
  })

  it('an API key that does not match its certificate, and an empty token file: exit 1', async () => {
    const { createCa, issueCertificate } = await import('../../src/certs/dev-ca.ts')
    const ca = createCa()
    const [a, b] = [issueCertificate(ca, 'node', { commonName: 'a', hosts: ['127.0.0.1'] }), issueCertificate(ca, 'node', { commonName: 'b' })]
    await mkdir(dir('tls'))
    const [cert, key, token] = [join(dir('tls'), 'node.crt'), join(dir('tls'), 'node.key'), join(dir('tls'), 'token')]
    await Promise.all([writeFile(cert, a.cert), writeFile(key, b.key), writeFile(token, '\n')])
    const mismatch = oneLine(await runCli(['start', '--data-dir', dir('tls-data'), ...freeExcept('none'), '--gateway-tls-cert', cert, '--gateway-tls-key', key]), 1)
    assert.equal(mismatch, `sorcha-peer: cannot read gateway.tls.key (${key}): does not match the certificate ${cert}`)
    assertInGuide('api-tls-key-mismatch', mismatch)
    const empty = oneLine(await runCli(['start', '--data-dir', dir('tls-data'), ...freeExcept('none'), '--gateway-token-file', token]), 1)
    assert.equal(empty, `sorcha-peer: cannot read gateway.tokenFile (${token}): the file is empty`)
    assertInGuide('api-token-file-empty', empty)
  })

  it('the database is locked by another process: exit 1', async () => {
    const dataDir = dir('locked')
    const storage = await openStorage(dataDir) // this test process holds LevelDB's lock, as a running node would
    try {
      const line = oneLine(await runCli(['start', '--data-dir', dataDir, ...freeExcept('none')]), 1)
      assert.equal(line, `sorcha-peer: cannot open the database ${join(dataDir, 'db')} (dataDir): locked by another process: stop the node that uses this data directory, or choose another with --data-dir`)
      assertInGuide('database-locked', line)
    } finally {
      await storage.close()
    }
  })

  it('the identity key is corrupt: exit 1', async () => {
    await mkdir(dir('corrupt'))
    await writeFile(join(dir('corrupt'), 'identity.key'), 'not a key')
    const line = oneLine(await runCli(['start', '--data-dir', dir('corrupt'), ...freeExcept('none')]), 1)
    assert.equal(line, `sorcha-peer: cannot use the node identity ${join(dir('corrupt'), 'identity.key')} (dataDir): not a libp2p private key: restore it from a backup, or move it away to create a new identity (a new peer id)`)
    assertInGuide('identity-corrupt', line)
  })

  it('the identity key is unreadable: exit 1', async () => {
    const dataDir = dir('unreadable')
    assert.equal((await cli(['id', '--data-dir', dataDir])).code, 0)
    await chmod(join(dataDir, 'identity.key'), 0o000)
    const line = oneLine(await runCli(['start', '--data-dir', dataDir, ...freeExcept('none')], { unprivileged: true }), 1)
    assert.equal(line, `sorcha-peer: cannot read the node identity ${join(dataDir, 'identity.key')} (dataDir): permission denied: give this user read access to it, or choose another data directory with --data-dir`)
    assertInGuide('identity-unreadable', line)
  })

  it('the data directory cannot be written: exit 1', async () => {
    const parent = dir('readonly')
    await mkdir(parent, { mode: 0o555 })
    await chmod(parent, 0o555)
    const line = oneLine(await runCli(['start', '--data-dir', join(parent, 'data'), ...freeExcept('none')], { unprivileged: true }), 1)
    assert.equal(line, `sorcha-peer: cannot write to the data directory ${join(parent, 'data')} (dataDir): permission denied: choose a writable directory with --data-dir, or give this user write access to it`)
    assertInGuide('data-dir-unwritable', line)
    await writeFile(dir('a-file'), '')
    const through = oneLine(await runCli(['start', '--data-dir', join(dir('a-file'), 'data'), ...freeExcept('none')]), 1)
    assert.match(through, /^sorcha-peer: cannot write to the data directory .*a-file\/data \(dataDir\): a part of the path is not a directory: choose a writable directory/)
  })
})
