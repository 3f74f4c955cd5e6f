/**
 * The package as a consumer gets it: `npm pack` (which builds dist/), then the tarball installed into
 * an empty folder, where Node does not run TypeScript. Nothing is downloaded: the folder gets a lock
 * file made from this repository's (the same dependency versions `npm ci` put in npm's cache) and
 * `npm ci --offline` installs from that cache. Then the consumer imports the client library by its
 * package export, and runs the installed sorcha-peer and sorcha-sim.
 */
import assert from 'node:assert/strict'
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import pkg from '../../package.json' with { type: 'json' }
import { startMemoryGateway } from '../helpers/memory-gateway.ts'
import { olderNode } from '../helpers/older-node.ts'
import { assertInGuide } from '../helpers/troubleshooting.ts'
import { untilRunning } from '../helpers/node-process.ts'
import { withoutCoverage } from '../helpers/coverage.ts'

const run = promisify(execFile)
const ROOT = new URL('../..', import.meta.url).pathname
const NODE = join(ROOT, 'node_modules/.bin/node')

/** How a failed execFile rejects. */
interface Failed { code: number, stdout: string, stderr: string }

interface LockEntry { dev?: boolean, [key: string]: unknown }

/**
 * package.json and package-lock.json of an app that depends on the tarball: the lock lists the
 * package's production dependency tree exactly as this repository's lock does.
 */
async function consumerFiles (tarball: string): Promise<{ manifest: object, lock: object }> {
  const rootLock = JSON.parse(await readFile(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> }
  const spec = `file:${tarball}`
  const packages: Record<string, unknown> = {
    '': { name: 'consumer', dependencies: { [pkg.name]: spec } },
    [`node_modules/${pkg.name}`]: { version: pkg.version, resolved: spec, license: pkg.license, dependencies: pkg.dependencies, bin: pkg.bin, engines: pkg.engines }
  }
  for (const [path, entry] of Object.entries(rootLock.packages)) {
    if (path !== '' && entry.dev !== true) packages[path] = entry
  }
  return {
    manifest: { name: 'consumer', private: true, dependencies: { [pkg.name]: spec } },
    lock: { name: 'consumer', lockfileVersion: 3, requires: true, packages }
  }
}

describe('the packed tarball, installed in an empty folder', () => {
  let consumer: string
  /**
   * PATH with the project's Node.js 24 first, so the bins' `#!/usr/bin/env node` finds it; no coverage
   * (npm, tsc and the installed package's dist/ are none of the measured sources).
   */
  let env: NodeJS.ProcessEnv
  const bin = (name: string): string => join(consumer, 'node_modules', '.bin', name)

  before(async () => {
    consumer = await mkdtemp(join(tmpdir(), 'sorcha-consumer-'))
    const packed = JSON.parse((await run('npm', ['pack', '--json', '--pack-destination', consumer], { cwd: ROOT, env: withoutCoverage(), maxBuffer: 64 * 1024 * 1024 })).stdout) as Array<{ filename: string, files: Array<{ path: string }> }>
    const tarball = packed[0]!.filename
    const files = packed[0]!.files.map(f => f.path)
    for (const expected of ['LICENSE', 'src/cli/bin.js', 'simulations/cli/bin.js', 'dist/src/cli/main.js', 'dist/simulations/cli/main.js', 'dist/simulations/engine/worker.js', 'dist/protos/sorcha/api/v1/peer_discovery.proto']) {
      assert.ok(files.includes(expected), `the tarball holds ${expected}`)
    }
    const { manifest, lock } = await consumerFiles(tarball)
    await writeFile(join(consumer, 'package.json'), JSON.stringify(manifest, null, 2))
    await writeFile(join(consumer, 'package-lock.json'), JSON.stringify(lock, null, 2))
    env = withoutCoverage({ ...process.env, PATH: `${dirname(await realpath(NODE))}${delimiter}${process.env.PATH ?? ''}` })
    await run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], { cwd: consumer, env, maxBuffer: 64 * 1024 * 1024 })
  })
  after(async () => { await rm(consumer, { recursive: true, force: true }) })

  it('imports sorcha-peer/client from node_modules and reads node info through the fallback chain', async () => {
    const { gateway } = await startMemoryGateway()
    try {
      await writeFile(join(consumer, 'app.mjs'), `
        import { SorchaClient } from 'sorcha-peer/client'
        const client = new SorchaClient({ endpoints: { grpc: process.argv[2], rest: process.argv[3] } })
        const info = await client.nodeInfo()
        console.log(JSON.stringify({ peerId: info.peerId }))
        client.close()
      `)
      const { stdout } = await run(NODE, [join(consumer, 'app.mjs'), gateway.grpcAddress, gateway.restUrl], { cwd: consumer, env })
      const out = JSON.parse(stdout.trim().split('\n').at(-1)!) as { peerId: string }
      assert.match(out.peerId, /^12D3KooW/)
    } finally {
      await gateway.stop()
    }
  })

  it('sorcha-peer --version and sorcha-sim --version print the package version', async () => {
    assert.equal((await run(bin('sorcha-peer'), ['--version'], { cwd: consumer, env })).stdout, `${pkg.version}\n`)
    assert.equal((await run(bin('sorcha-sim'), ['--version'], { cwd: consumer, env })).stdout, `${pkg.version}\n`)
  })

  it('sorcha-peer id creates an identity and prints its peer id and addresses', async () => {
    const dataDir = join(consumer, 'id-data')
    const { stdout, stderr } = await run(bin('sorcha-peer'), ['id', '--data-dir', dataDir], { cwd: consumer, env })
    const [peerId, ...addresses] = stdout.trimEnd().split('\n')
    assert.match(peerId!, /^12D3KooW/)
    assert.ok(addresses.some(a => a.trim() === `/ip4/127.0.0.1/tcp/4100/p2p/${peerId}`), stdout)
    assert.match(stderr, /created a new identity in .*identity\.key/)
  })

  it('sorcha-sim runs a tiny scenario, on two worker threads', async () => {
    const scenario = join(consumer, 'tiny.yaml')
    await writeFile(scenario, [
      'name: tiny', 'seed: 7', 'nodes: 6', 'durationMs: 3000',
      'topology: { kind: k-regular, degree: 2 }', 'latency: { kind: preset, name: loopback }',
      'workload: { transactions: 5, ratePerSec: 10, sizeBytes: 128 }', 'protocol: { name: tx-gossip }', ''
    ].join('\n'))
    const { stdout, stderr } = await run(bin('sorcha-sim'), ['run', scenario, '--json', '--threads', '2', '--out', join(consumer, 'sim-out')], { cwd: consumer, env })
    const summary = JSON.parse(stdout.trim().split('\n').at(-1)!) as { scenario: string, nodes: number, transactions: number, deliveredFraction: number }
    assert.deepEqual([summary.scenario, summary.nodes, summary.transactions, summary.deliveredFraction], ['tiny', 6, 5, 1], stderr)
    assert.match(await readFile(join(consumer, 'sim-out', 'coverage.svg'), 'utf8'), /<svg/)
  })

  describe('an installed node', () => {
    let child: ChildProcess
    let exit: Promise<number | null>
    const api: { grpc?: string, rest?: string, peerId?: string } = {}
    before(async () => {
      child = spawn(bin('sorcha-peer'), [
        'start', '--data-dir', join(consumer, 'node-data'), '--listen', '/ip4/127.0.0.1/tcp/0',
        '--gateway-grpc-port', '0', '--gateway-rest-port', '0', '--ops-port', '0', '--log-format', 'json'
      ], { cwd: consumer, env, stdio: ['ignore', 'ignore', 'pipe'] })
      let running
      ;({ exit, running } = await untilRunning(child))
      Object.assign(api, { grpc: running.grpc, rest: running.rest, peerId: running.peerId })
    })
    after(async () => {
      child.kill('SIGTERM')
      assert.equal(await exit, 0)
    })

    it('serves the API, and the installed sorcha-peer status reads it', async () => {
      const { stdout } = await run(bin('sorcha-peer'), ['status', '--json', '--grpc', api.grpc!, '--rest', api.rest!], { cwd: consumer, env })
      assert.equal((JSON.parse(stdout) as { peerId: string }).peerId, api.peerId)
    })

    it('runs the client guide\'s example from docs/api.md against it: connect, subscribe, submit, fall back to REST', async () => {
      const docs = await readFile(join(ROOT, 'docs/api.md'), 'utf8')
      const guide = docs.slice(docs.indexOf('## Client library guide'))
      const code = /```js\n([\s\S]*?)\n```/.exec(guide)?.[1]
      assert.ok(code !== undefined, 'docs/api.md has the guide\'s example')
      await writeFile(join(consumer, 'example.mjs'), code)
      const { stdout } = await run(NODE, ['example.mjs'], { cwd: consumer, env: { ...env, SORCHA_GRPC: api.grpc, SORCHA_REST: api.rest } })
      const txId = createHash('sha256').update(JSON.stringify({ hello: 'world' })).digest('hex')
      assert.equal(stdout, [
        `connected to ${api.peerId} via grpc-stream`,
        `submitted ${txId}`,
        `received ${txId} in register example`,
        `connected to ${api.peerId} via rest`,
        ''
      ].join('\n'))
      const shown = ['connected to 12D3KooW… via grpc-stream', `submitted ${txId}`, `received ${txId} in register example`, 'connected to 12D3KooW… via rest']
      assert.ok(guide.includes(`It prints:\n\n\`\`\`text\n${shown.join('\n')}\n\`\`\``), 'the guide shows what the example prints')
    })
  })

  it('under an older Node.js, both bins say that Node.js 24 is required and how to get it', async t => {
    const old = await olderNode()
    if (old === undefined) { t.skip('no Node.js older than 24 at /usr/bin/node'); return }
    for (const name of ['sorcha-peer', 'sorcha-sim']) {
      const result: Failed = await run(old.path, [bin(name), '--version'], { cwd: consumer, env }).then(() => assert.fail('exit 0'), (err: Failed) => err)
      assert.equal(result.code, 2)
      assert.equal(result.stderr, `${name}: Node.js 24 or newer is required, but this is ${old.version}: install Node.js 24 (https://nodejs.org/en/download, or \`nvm install 24\`) and run ${name} with it\n`)
      if (name === 'sorcha-peer') assertInGuide('old-node-installed', result.stderr)
    }
  })
})
