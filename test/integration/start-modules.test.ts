/**
 * What a started node loads (docs/benchmarks.md, "Footprint"): optional parts only when configured
 * (pino-pretty for `log.format: pretty`, @libp2p/gossipsub for `gossip.strategy: gossipsub`), never
 * Node's bundled undici, and with a warm compile cache (src/cli/bin.js) not Node's type stripper
 * either; a configured optional part that cannot be loaded fails the start with one line. Real
 * `sorcha-peer start` processes, recorded by test/helpers/record-modules.ts; packages are hidden by
 * test/helpers/break-modules.ts.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { NODE } from '../helpers/cli.ts'
import { RUNNING_MSG } from '../helpers/node-process.ts'

/** A node on loopback with every listener on a free port (the app API on: REST and gRPC load too). */
const LOCAL = ['--listen', '/ip4/127.0.0.1/tcp/0', '--gateway-grpc-port', '0', '--gateway-rest-port', '0', '--ops-port', '0']

const PRETTY = /\/node_modules\/pino-pretty\//
const GOSSIPSUB = /\/node_modules\/@libp2p\/gossipsub\//
const UNDICI = /^node:internal\/deps\/undici\//
const TYPE_STRIPPER = /^node:internal\/deps\/amaro\//

describe('what sorcha-peer start loads', () => {
  let root: string
  let cache: string
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'sorcha-start-modules-'))
    cache = join(root, 'compile-cache')
  })
  after(async () => { await rm(root, { recursive: true, force: true }) })

  /**
   * Runs `sorcha-peer start` with the module recorder (and the packages in `broken` hidden) until the
   * node runs, then stops it; or until it exits by itself. Resolves with its exit code, stderr and the
   * modules it loaded.
   */
  async function start (name: string, args: string[], broken: string[] = []): Promise<{ code: number | null, stderr: string, modules: string[] }> {
    const log = join(root, `${name}.modules`)
    const child = spawn(NODE, ['--import', './test/helpers/record-modules.ts', '--import', './test/helpers/break-modules.ts', 'src/cli/bin.js', 'start', '--data-dir', join(root, name), ...LOCAL, ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, TEST_MODULE_LOG: log, TEST_BREAK_MODULES: broken.join(','), NODE_COMPILE_CACHE: cache }
    })
    let stderr = ''
    let stopped = false
    const exit = new Promise<number | null>(resolve => child.once('exit', code => { resolve(code) }))
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
      if (!stopped && stderr.includes(RUNNING_MSG)) {
        stopped = true
        child.kill('SIGTERM')
      }
    })
    const code = await exit
    return { code, stderr, modules: (await readFile(log, 'utf8')).trim().split('\n') }
  }

  it('loads pino-pretty and gossipsub when configured; a warm compile cache spares the type stripper; never undici', async () => {
    // The first run fills the (empty) compile cache with every module of the node, those of the
    // optional parts too, so the second one, with less configured, finds all of its modules there.
    const configured = await start('configured', ['--log-format', 'pretty', '--gossip-strategy', 'gossipsub'])
    assert.equal(configured.code, 0, configured.stderr)
    assert.ok(configured.modules.some(u => PRETTY.test(u)), 'pino-pretty loaded')
    assert.ok(configured.modules.some(u => GOSSIPSUB.test(u)), '@libp2p/gossipsub loaded')
    assert.ok(configured.modules.some(u => TYPE_STRIPPER.test(u)), 'a cold cache: the type stripper ran (and the recorder sees bundled modules)')
    assert.deepEqual(configured.modules.filter(u => UNDICI.test(u)), [])

    const plain = await start('plain', ['--log-format', 'json'])
    assert.equal(plain.code, 0, plain.stderr)
    assert.ok(plain.modules.some(u => u.endsWith('/src/node/sorcha-node.ts')), 'the recorder saw the node')
    assert.deepEqual(plain.modules.filter(u => PRETTY.test(u) || GOSSIPSUB.test(u) || UNDICI.test(u) || TYPE_STRIPPER.test(u)), [])
  })

  it('a configured optional part that cannot be loaded fails the start: exit 1, one line naming the setting', async () => {
    const pretty = await start('no-pretty', ['--log-format', 'pretty'], ['pino-pretty'])
    assert.equal(pretty.code, 1, pretty.stderr)
    assert.equal(pretty.stderr, "sorcha-peer: cannot load pino-pretty (log.format): Cannot find package 'pino-pretty' (hidden by test/helpers/break-modules.ts): reinstall the dependencies (npm ci), or set log.format to another value than pretty\n")

    const gossipsub = await start('no-gossipsub', ['--log-format', 'json', '--gossip-strategy', 'gossipsub'], ['@libp2p/gossipsub'])
    assert.equal(gossipsub.code, 1, gossipsub.stderr)
    const lines = gossipsub.stderr.trim().split('\n')
    assert.equal(lines.at(-1), "sorcha-peer: cannot load @libp2p/gossipsub (gossip.strategy): Cannot find package '@libp2p/gossipsub' (hidden by test/helpers/break-modules.ts): reinstall the dependencies (npm ci), or set gossip.strategy to another value than gossipsub")
    assert.deepEqual(lines.slice(0, -1).filter(l => !l.startsWith('{')), [], 'nothing else but JSON log lines')
  })
})
