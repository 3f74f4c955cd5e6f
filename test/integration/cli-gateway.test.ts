/** The CLI against a running gateway: certs, status, submit (file and stdin), watch. */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { X509Certificate } from 'node:crypto'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { Gateway } from '../../src/gateway/gateway.ts'
import { txIdOf } from '../../src/gateway/validate.ts'
import { cli, NODE } from '../helpers/cli.ts'
import { startMemoryGateway, TEST_PEER_ID } from '../helpers/memory-gateway.ts'
import { assertInGuide } from '../helpers/troubleshooting.ts'


describe('sorcha-peer status / submit / watch', () => {
  let gateway: Gateway
  let target: string[]
  let dir: string
  before(async () => {
    ;({ gateway } = await startMemoryGateway({ rateLimit: { perSecond: 0 } }))
    target = ['--grpc', gateway.grpcAddress, '--rest', gateway.restUrl]
    dir = await mkdtemp(join(tmpdir(), 'sorcha-cli-gw-'))
  })
  after(async () => {
    await gateway.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('status prints the node info as JSON and as text', async () => {
    const json = await cli(['status', ...target, '--json'])
    assert.equal(json.code, 0, json.stderr)
    const status = JSON.parse(json.stdout) as { peerId: string, transport: string }
    assert.equal(status.peerId, TEST_PEER_ID)
    assert.equal(status.transport, 'grpc-stream')
    const text = await cli(['status', '--transport', 'rest', ...target])
    assert.match(text.stdout, new RegExp(`peer id\\s+${TEST_PEER_ID}`))
    assert.match(text.stdout, /via\s+rest/)
  })

  it('watch says once on stderr that it is connected and waiting, then streams what submit sends, from a file and from stdin', async () => {
    const watch = spawn(NODE, ['src/cli/bin.js', 'watch', ...target, '--register', 'cli', '--count', '2', '--json'])
    let out = ''
    let err = ''
    watch.stdout.on('data', (d: Buffer) => { out += d.toString() })
    const exited = new Promise<number>(resolve => watch.on('close', code => { resolve(code ?? 1) }))
    // Submitting only after the line proves the line means "subscribed": both transactions arrive.
    await new Promise<void>((resolve, reject) => {
      watch.stderr.on('data', (d: Buffer) => { err += d.toString(); if (err.includes('\n')) resolve() })
      void exited.then(code => { reject(new Error(`watch exited (${code}) before it was watching: ${err}`)) })
    })
    assert.equal(err, `watching ${gateway.grpcAddress} (gRPC): waiting for transactions; Ctrl-C to stop\n`)
    const file = join(dir, 'tx.json')
    await writeFile(file, '{"n":1}')
    const fromFile = await cli(['submit', ...target, '--register', 'cli', '--content-type', 'application/json', file])
    assert.equal(fromFile.code, 0, fromFile.stderr)
    assert.equal(fromFile.stdout.trim(), txIdOf(Buffer.from('{"n":1}')))
    const fromStdin = await cli(['submit', ...target, '--register', 'cli', '--json', '-'], { input: 'stdin payload' })
    assert.equal(fromStdin.code, 0, fromStdin.stderr)
    assert.equal((JSON.parse(fromStdin.stdout) as { txId: string }).txId, txIdOf(Buffer.from('stdin payload')))
    const again = await cli(['submit', ...target, '--register', 'cli', file])
    assert.match(again.stdout, /duplicate/)
    assert.equal(await exited, 0)
    assert.equal(err.split('\n').filter(l => l !== '').length, 1, err)
    const lines = out.trim().split('\n').map(l => JSON.parse(l) as { txId: string, contentType: string })
    assert.deepEqual(lines.map(l => l.txId), [txIdOf(Buffer.from('{"n":1}')), txIdOf(Buffer.from('stdin payload'))])
    assert.equal(lines[0]?.contentType, 'application/json')
  })

  it('watch over REST names the REST URL in its waiting line', async () => {
    const watch = spawn(NODE, ['src/cli/bin.js', 'watch', ...target, '--transport', 'rest', '--count', '1'])
    let err = ''
    const exited = new Promise<number>(resolve => watch.on('close', code => { resolve(code ?? 1) }))
    await new Promise<void>((resolve, reject) => {
      watch.stderr.on('data', (d: Buffer) => { err += d.toString(); if (err.includes('\n')) resolve() })
      void exited.then(code => { reject(new Error(`watch exited (${code}) before it was watching: ${err}`)) })
    })
    assert.equal(err, `watching ${gateway.restUrl} (REST): waiting for transactions; Ctrl-C to stop\n`)
    watch.kill('SIGINT')
    assert.equal(await exited, 0)
  })

  it('exits 2 with one line for a request the node rejects, and 1 when no node answers', async () => {
    const bad = await cli(['submit', ...target, '--register', 'bad register', '-'], { input: 'x' })
    assert.equal(bad.code, 2)
    assert.match(bad.stderr, /^sorcha-peer: InvalidArgumentError \(invalid_register_id\)/)
    assert.equal(bad.stderr.trim().split('\n').length, 1)
    const down = await cli(['status', '--grpc', '127.0.0.1:1', '--rest', 'http://127.0.0.1:1', '--timeout-ms', '500'])
    assert.equal(down.code, 1)
    assert.match(down.stderr, /^sorcha-peer: /)
  })
})

describe('sorcha-peer certs', () => {
  it('creates a CA, a node certificate and a client certificate that chain to it, keys 0600; never replaces the CA without --force', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sorcha-certs-'))
    assert.equal((await cli(['certs', 'ca', '--dir', dir])).code, 0)
    assert.equal((await cli(['certs', 'node', '--dir', dir, '--host', 'node1.test', '--host', '127.0.0.1'])).code, 0)
    assert.equal((await cli(['certs', 'client', '--dir', dir, '--name', 'app'])).code, 0)
    const ca = new X509Certificate(await readFile(join(dir, 'ca.crt')))
    const node = new X509Certificate(await readFile(join(dir, 'node.crt')))
    const app = new X509Certificate(await readFile(join(dir, 'app.crt')))
    assert.ok(node.verify(ca.publicKey) && app.verify(ca.publicKey))
    assert.equal(node.checkHost('node1.test'), 'node1.test')
    assert.equal((await stat(join(dir, 'ca.key'))).mode & 0o777, 0o600)
    assert.equal((await stat(join(dir, 'app.key'))).mode & 0o777, 0o600)
    const usage = await cli(['certs', 'node', '--dir', dir, '--days', 'soon'])
    assert.equal(usage.code, 2)
    // A second `certs ca` keeps the CA (the node certificate above still verifies) unless --force.
    const again = await cli(['certs', 'ca', '--dir', dir])
    assert.equal(again.code, 2)
    assert.equal(again.stderr, `sorcha-peer: a CA already exists at ${join(dir, 'ca.crt')}: a new one would stop the certificates it signed from verifying; keep it, or pass --force to replace it\n`)
    assertInGuide('certs-ca-exists', again.stderr)
    assert.ok(node.verify(new X509Certificate(await readFile(join(dir, 'ca.crt'))).publicKey), 'the CA is unchanged')
    await rm(join(dir, 'ca.crt'))
    const keyOnly = await cli(['certs', 'ca', '--dir', dir])
    assert.equal(keyOnly.code, 2, 'a CA key alone is kept too')
    assert.match(keyOnly.stderr, /a CA already exists at .*ca\.key: /)
    assert.equal((await cli(['certs', 'ca', '--dir', dir, '--force'])).code, 0)
    assert.ok(!node.verify(new X509Certificate(await readFile(join(dir, 'ca.crt'))).publicKey), 'replaced with --force')
    await rm(dir, { recursive: true, force: true })
  })
})
