/**
 * Every fuzz target (test/fuzz/targets) for its bounded number of runs with a fixed seed, and the
 * inputs fuzzing found, kept as regression tests: `npm run fuzz -- <target> --seconds N` runs the
 * same properties for longer with fresh seeds.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, it } from 'node:test'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { gzipSync } from 'node:zlib'
import fc from 'fast-check'
import { QueueRecord } from '../../protos/gen/sorcha/p2p/v1/tx_queue.ts'
import { PeerExchangeResponse } from '../../protos/gen/sorcha/p2p/v1/peer_exchange.ts'
import { decodeMessage } from '../../protocols/stun/message.ts'
import { inflateChunk } from '../../src/gossip/compression.ts'
import { MAX_FRAME_BYTES } from '../../src/gossip/constants.ts'
import { FrameDecoder, framePrefix, type FrameTooLargeError } from '../../src/gossip/frame-decoder.ts'
import { metaSize } from '../../src/gossip/store/tx-store.ts'
import { decodeFrame } from '../../src/gossip/wire.ts'
import { decodeQueueRecord } from '../../src/queue/outbound-queue.ts'
import { varint } from './mutate.ts'
import { startMemoryGateway } from '../helpers/memory-gateway.ts'
import { TARGETS } from './targets/index.ts'
import { CRASH_DIR, runFast } from './fast.ts'
import type { FuzzTarget } from './target.ts'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

/** Bytes of array buffers and heap that `work` leaves allocated (after a full GC). */
async function retained (work: () => unknown): Promise<{ arrayBuffers: number, heap: number, result: unknown }> {
  gc()
  const before = process.memoryUsage()
  const result = await work()
  gc()
  const after = process.memoryUsage()
  return { arrayBuffers: after.arrayBuffers - before.arrayBuffers, heap: after.heapUsed - before.heapUsed, result }
}

const MiB = 1024 * 1024
const HARNESS = new URL('./run.ts', import.meta.url).pathname

/** Runs the harness (`npm run fuzz -- ...`) with `args`. */
async function harness (args: string[]): Promise<{ code: number, stdout: string, stderr: string }> {
  return await new Promise(resolve => {
    execFile(process.execPath, [HARNESS, ...args], { timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr })
    })
  })
}

describe('fuzz targets (bounded runs)', () => {
  for (const target of TARGETS) {
    it(`${target.name}: ${target.description}`, async () => {
      await target.setup?.()
      try {
        await fc.assert(target.property(), { numRuns: target.testRuns, seed: 19 })
      } finally {
        await target.teardown?.()
      }
    })
  }
})

/** The failing inputs kept in `dir` (test/fuzz/crashes: `<target>-<hash>.hex`), with their target's name. */
function crashInputs (dir: URL): Array<{ file: string, target: string, bytes: Uint8Array }> {
  if (!existsSync(dir)) return []
  return readdirSync(dir).filter(f => f.endsWith('.hex')).map(file => ({
    file,
    target: file.replace(/-[0-9a-f]{12}\.hex$/, ''),
    bytes: Buffer.from(readFileSync(new URL(file, dir), 'utf8').trim(), 'hex')
  }))
}

describe('inputs the fast mode found (test/fuzz/crashes), replayed', () => {
  for (const { file, target, bytes } of crashInputs(CRASH_DIR)) {
    it(`${file} passes ${target}'s full check`, async () => {
      const entry = TARGETS.find(t => t.name === target)?.fast
      assert.ok(entry !== undefined, `no wire target named ${target}`)
      await entry.check(bytes, true)
    })
  }
})

describe('npm run fuzz', () => {
  it('--fast runs a wire target to the executions asked, with round trips on some and held memory sampled after GC', async () => {
    const { code, stdout } = await harness(['stun-attributes', '--fast', '--executions', '20000', '--seed', '1', '--json'])
    assert.equal(code, 0)
    const report = JSON.parse(stdout.trim().split('\n').at(-1)!) as { mode: string, targets: Array<{ name: string, executions: number, fullChecks: number, failures: number, heldAfterGcMiB: number[], unboundedAllocation: boolean }> }
    const target = report.targets[0]!
    assert.deepEqual([report.mode, target.name, target.failures, target.unboundedAllocation], ['fast', 'stun-attributes', 0, false])
    assert.ok(target.executions >= 20000 && target.fullChecks > 0 && target.fullChecks < target.executions)
    assert.ok(target.heldAfterGcMiB.length >= 1 && target.heldAfterGcMiB.every(m => m > 0))
  })

  it('the fast mode fails a target whose held memory keeps growing (a leak), not one that holds steady', async () => {
    // Samples are taken between rounds of 8,192 executions: 8 rounds of 640 bytes kept per execution is ~30 MiB.
    const leaked: Uint8Array[] = []
    const leaky: FuzzTarget = { name: 'leaky', description: '', files: [], wire: true, testRuns: 0, property: () => fc.property(fc.constant(0), () => {}), fast: { inputs: fc.uint8Array({ maxLength: 8 }), check: () => { leaked.push(new Uint8Array(640)) } } }
    const report = await runFast(leaky, { executions: 64_000, seconds: 60, seed: 1, heapEvery: 1000 })
    assert.ok(report.heldGrowthMiB > 16 && report.unboundedAllocation, `growth ${report.heldGrowthMiB} MiB`)
    const steady = await runFast({ ...leaky, name: 'steady', fast: { ...leaky.fast!, check: () => { void new Uint8Array(640) } } }, { executions: 64_000, seconds: 60, seed: 1, heapEvery: 1000 })
    assert.equal(steady.unboundedAllocation, false, `growth ${steady.heldGrowthMiB} MiB`)
    leaked.length = 0
  })

  it('the fast mode saves a failing input where the replay finds it, and counts the failure', async () => {
    const dir = pathToFileURL(`${mkdtempSync(join(tmpdir(), 'fuzz-crashes-'))}/`)
    try {
      // A decoder that throws an untyped error on inputs of 3 bytes: havoc of the inputs reaches it.
      const broken: FuzzTarget = { name: 'broken', description: '', files: [], wire: true, testRuns: 0, property: () => fc.property(fc.constant(0), () => {}), fast: { inputs: fc.uint8Array({ minLength: 4, maxLength: 8 }), check: bytes => { if (bytes.length === 3) throw new TypeError('boom') } } }
      const report = await runFast(broken, { executions: 5000, seconds: 60, seed: 3, crashDir: dir })
      assert.ok(report.failures > 0)
      const kept = crashInputs(dir)
      assert.equal(kept.length, report.saved.length)
      assert.ok(kept.length > 0 && kept.every(k => k.target === 'broken' && k.bytes.length === 3))
      assert.match(report.counterexamples[0] ?? '', /TypeError: boom/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('runs a target for the time asked and reports executions, failures and V8 coverage of its files as JSON', async () => {
    const { code, stdout } = await harness(['store-meta', '--seconds', '0.5', '--seed', '1', '--json'])
    assert.equal(code, 0)
    const report = JSON.parse(stdout.trim().split('\n').at(-1)!) as { targets: Array<{ name: string, executions: number, failures: number, coverage: Array<{ file: string, functions: { covered: number, total: number }, bytesPercent: number }> }> }
    const [target] = report.targets
    assert.equal(target?.name, 'store-meta')
    assert.ok(target.executions > 0)
    assert.equal(target.failures, 0)
    assert.equal(target.coverage[0]?.file, 'src/gossip/store/age-index.ts')
    assert.ok(target.coverage[0].functions.covered > 0 && target.coverage[0].bytesPercent > 0)
  })

  it('refuses an unknown target or a bad duration with one line and exit code 2', async () => {
    const unknown = await harness(['no-such', '--seconds', '1'])
    assert.equal(unknown.code, 2)
    assert.match(unknown.stderr, /^no fuzz target named no-such \(npm run fuzz -- list\)\n/)
    const seconds = await harness(['all', '--seconds', '0'])
    assert.equal(seconds.code, 2)
    assert.match(seconds.stderr, /^--seconds must be a positive number\n/)
    const slow = await harness(['gossip-assembly', '--fast'])
    assert.equal(slow.code, 2)
    assert.match(slow.stderr, /^no fast mode for gossip-assembly \(the wire targets have one\)\n/)
    const executions = await harness(['stun-message', '--executions', '5'])
    assert.equal(executions.code, 2)
    assert.match(executions.stderr, /^--executions needs --fast\n/)
    const zero = await harness(['stun-message', '--fast', '--executions', '0'])
    assert.equal(zero.code, 2)
    assert.match(zero.stderr, /^--executions must be a positive integer\n/)
  })
})

describe('fuzz regressions and allocation bounds', () => {
  it('a damaged outbound-queue record is skipped, not thrown (it stopped the node starting)', () => {
    const damaged = Uint8Array.from([0x0a, 0xff])
    assert.throws(() => QueueRecord.decode(damaged))
    assert.equal(decodeQueueRecord(damaged), undefined)
    assert.equal(decodeQueueRecord(QueueRecord.encode({ queuedAtMs: 5, sizeBytes: 7, registerId: 'r' }).finish())?.sizeBytes, 7)
  })

  it('a damaged store metadata value counts 0 bytes, not NaN (NaN stopped eviction for good)', () => {
    assert.equal(metaSize(new TextEncoder().encode('x:1')), 0)
    assert.equal(metaSize(new TextEncoder().encode('-5:1')), 0)
    assert.equal(metaSize(new TextEncoder().encode('1e400:1')), 0)
    assert.equal(metaSize(new TextEncoder().encode('120:3:99:reg')), 120)
  })

  it('frames completed before an oversized prefix in the same read are kept, as when the muxer cuts between them', () => {
    const decoder = new FrameDecoder(100)
    const err = (() => {
      try {
        decoder.decode(Uint8Array.from([2, 4, 190, 244, 134, 67]))
      } catch (e) {
        return e as FrameTooLargeError
      }
    })()
    assert.equal(err?.name, 'FrameTooLargeError')
    assert.deepEqual(err.frames.map(f => [...f]), [[4, 190]])
  })

  it('a frame dribbled a byte at a time holds about its size, not an object per byte', async () => {
    const decoder = new FrameDecoder()
    const body = 256 * 1024
    const { heap, arrayBuffers } = await retained(() => {
      decoder.decode(framePrefix(body))
      const src = new Uint8Array(body - 1)
      for (let i = 0; i < src.length; i++) decoder.decode(src.subarray(i, i + 1))
    })
    assert.equal(decoder.buffered, body - 1 + framePrefix(body).length)
    // Before the fix this held ~110 bytes of heap per byte (28 MiB here).
    assert.ok(heap + arrayBuffers < 4 * body + MiB, `held ${heap + arrayBuffers} bytes for ${body}`)
  })

  it('a length prefix claiming 4 GiB is refused before anything is allocated', async () => {
    for (const claim of [0xffffffff, MAX_FRAME_BYTES + 1]) {
      const { arrayBuffers, result } = await retained(() => {
        try {
          new FrameDecoder().decode(Buffer.concat([varint(claim), Buffer.alloc(8)]))
        } catch (err) {
          return (err as Error).name
        }
      })
      assert.equal(result, 'FrameTooLargeError')
      assert.ok(arrayBuffers < MiB, `${arrayBuffers} bytes`)
    }
  })

  it('protobuf length fields claiming 4 GiB are refused without allocating them', async () => {
    // A GossipFrame whose chunk, and a PeerExchangeResponse whose peer, claims 0xffffffff bytes.
    for (const [decode, tag] of [[(b: Uint8Array) => decodeFrame(b), 0x2a], [(b: Uint8Array) => PeerExchangeResponse.decode(b), 0x0a]] as const) {
      const { arrayBuffers } = await retained(() => {
        try {
          return decode(Buffer.concat([Uint8Array.from([tag]), varint(0xffffffff), Buffer.alloc(16)]))
        } catch (err) {
          return err
        }
      })
      assert.ok(arrayBuffers < MiB, `${arrayBuffers} bytes`)
    }
    assert.equal(decodeFrame(Buffer.concat([Uint8Array.from([0x2a]), varint(0xffffffff)])).kind, 'invalid')
  })

  it('a STUN length field claiming 64 KiB more than the datagram is a rejection', () => {
    const header = Buffer.alloc(20)
    header.writeUInt16BE(0x0001, 0)
    header.writeUInt16BE(0xfffc, 2)
    header.writeUInt32BE(0x2112a442, 4)
    assert.deepEqual(decodeMessage(header), { ok: false, reason: 'bad-length' })
  })

  it('a decompression bomb (16 MiB of zeros in 16 KiB of gzip) stops at the declared length', async () => {
    const bomb = gzipSync(Buffer.alloc(16 * MiB))
    assert.ok(bomb.length < 32 * 1024)
    const { arrayBuffers, result } = await retained(async () => {
      try {
        await inflateChunk(bomb, 1000)
      } catch (err) {
        return (err as Error).name
      }
    })
    assert.equal(result, 'DecompressionError')
    assert.ok(arrayBuffers < 4 * MiB, `${arrayBuffers} bytes`)
  })

  it('REST: a register id of 128 characters reaches the route; a 300-character path parameter or a bad percent-encoding is a 400 problem, not Fastify\'s JSON', async () => {
    const { gateway } = await startMemoryGateway({ rateLimit: { perSecond: 0 } })
    try {
      const long = await fetch(`${gateway.restUrl}/v1/registers/${'r'.repeat(128)}/peers`)
      assert.equal(long.status, 200)
      const tooLong = await fetch(`${gateway.restUrl}/v1/peers/${'x'.repeat(300)}`)
      assert.equal(tooLong.status, 400)
      assert.match(tooLong.headers.get('content-type') ?? '', /^application\/problem\+json/)
      const problem = await tooLong.json() as { reason: string, detail: string }
      assert.deepEqual([problem.reason, problem.detail], ['path_too_long', 'a path parameter is longer than 256 characters'])
      const badEncoding = await fetch(`${gateway.restUrl}/v1/peers/%E0%A4%A`)
      assert.equal(badEncoding.status, 400)
      assert.match(badEncoding.headers.get('content-type') ?? '', /^application\/problem\+json/)
      const bad = await badEncoding.json() as { reason: string, detail: string }
      assert.deepEqual([bad.reason, bad.detail], ['malformed', 'the URL path is not validly percent-encoded'])
    } finally {
      await gateway.stop()
    }
  })
})
