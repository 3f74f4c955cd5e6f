/**
 * The crash campaign (issue 16, "Must show"): node A and node B run as `sorcha-peer start` child
 * processes. Each iteration starts A (after the first: restarts it on the same data directory),
 * submits continuously through A's gateway while an app subscriber on A follows from its last cursor,
 * then SIGKILLs A at a random moment. After the last iteration A starts once more and the campaign
 * checks: every acknowledged transaction is in A's store and reached B; the subscriber on A (resuming
 * from its cursor after every kill) and one on B saw every stored transaction exactly once, in the
 * order of the journal.
 *
 * Used by test/integration/crash-campaign.test.ts (30 iterations) and the `crash` benchmark.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRng, type Rng } from '../../protocols/common/rng.ts'
import { connectivityStateToJSON } from '../../protos/gen/sorcha/api/v1/connectivity.ts'
import { transactionStateToJSON } from '../../protos/gen/sorcha/api/v1/transaction_distribution.ts'
import { SorchaClient } from '../../src/client/index.ts'
import { txIdOf } from '../../src/gateway/validate.ts'
import { NODE } from '../helpers/cli.ts'
import { untilRunning, type RunningProcess } from '../helpers/node-process.ts'
import { withoutCoverage } from '../helpers/coverage.ts'

/** Options of a campaign. */
export interface CampaignOptions {
  iterations: number
  seed: number
  /** A is killed at a uniformly random moment this long after its submissions began. */
  maxRunMs: number
  /** Submissions in flight at once. */
  concurrency: number
  /** Progress lines (one per iteration). */
  log?: (line: string) => void
}

/** What a campaign found. Every "lost", "missing", "duplicate" and "missed" count must be 0. */
export interface CampaignReport {
  seed: number
  iterations: number
  /** Submissions the node acknowledged (duplicate: false). */
  acknowledged: number
  /** Submissions that failed (in flight at a kill): allowed either way. */
  unacknowledged: number
  /** ...of which A stored anyway (the write landed before the kill, the acknowledgement did not leave). */
  storedUnacknowledged: number
  /** Acknowledged but not in A's store after the restart (GetTransaction: NOT_FOUND). */
  acknowledgedLost: number
  /** Acknowledged and in A's store, but not in its journal (so no subscriber or listing sees it). */
  acknowledgedNotJournaled: number
  /** Acknowledged but never reached B. */
  missingOnB: number
  /** A's journal after the campaign. */
  journalA: number
  subscriberA: { received: number, duplicates: number, missed: number, outOfOrder: number, unexpected: number, resumes: number, errors: string[] }
  subscriberB: { received: number, duplicates: number, missed: number, outOfOrder: number, unexpected: number, errors: string[] }
  /** Acknowledged per iteration. */
  perIteration: number[]
  /** From the last restart until B held every acknowledged transaction. */
  convergeMs: number
  durationMs: number
  /** B's warnings and errors (level >= 40) and the offences it counted, each message with its count: why B might not take A's transactions. */
  warningsB: string[]
  /** B's lines about limiting or punishing A (throttling, graylisting, disconnecting, banning): A only crashed, so none is due. */
  punishedB: string[]
  /** Checks that failed while waiting for B to catch up (the first five): a slow node, not a finding. */
  waitErrors: string[]
  /** Only when something acknowledged is missing on B: what each node says about it. */
  diagnosis?: Diagnosis
}

/** Why transactions are missing on B, as far as the two nodes tell (for a failure's message). */
export interface Diagnosis {
  /** Missing on B, by the iteration (0-based) whose A acknowledged it. */
  missingByIteration: Record<number, number>
  /** Connectivity of A and B at the end: state, reason, connected peers. */
  connectivityA: string
  connectivityB: string
  /** A few missing transactions: their state on A (queued, announced, ...) and whether B's store holds them. */
  samples: string[]
  warningsA: string[]
}

/** Info lines that tell of a peer being limited or punished (the reputation service and the per-peer limits log them at info). */
const PUNISHMENT = /throttling a peer|graylisting|banning a misbehaving|disconnecting a misbehaving/
/** The reputation service's debug line for each offence it counts (B's `sorcha:reputation` logs at debug). */
const OFFENCE = 'peer offence'

/**
 * A node's warning-or-worse log lines (level >= 40), its lines about limiting or punishing a peer
 * and the offences it counted (or only the lines `pick` keeps), each distinct message once with its
 * count, at most `max`.
 */
function warnings (lines: readonly Record<string, unknown>[], pick = (line: Record<string, unknown>): boolean => typeof line.level === 'number' && (line.level >= 40 || PUNISHMENT.test(String(line.msg)) || line.msg === OFFENCE), max = 20): string[] {
  const counts = new Map<string, number>()
  for (const line of lines) {
    if (!pick(line)) continue
    const detail = [line.reason, line.offence, line.protocol, line.detail].filter(x => x !== undefined).map(String).join(' ')
    const text = `${String(line.msg)}${detail === '' ? '' : ` [${detail}]`}`
    counts.set(text, (counts.get(text) ?? 0) + 1)
  }
  return [...counts].slice(0, max).map(([text, n]) => `${n} × ${text}`)
}

const REGISTER = 'crash'

/**
 * Flags of a campaign node: loopback only, free ports, JSON logs, no gateway rate limit, quick
 * anti-entropy (two rounds a second, and a per-peer limit that lets a peer take them: with the
 * default of one a second, B would throttle A's summaries and count it as an offence).
 */
function nodeArgs (dataDir: string, bootstrap?: string): string[] {
  return [
    'src/cli/bin.js', 'start', '--data-dir', dataDir, '--listen', '/ip4/127.0.0.1/tcp/0',
    '--connections-allow', '/ip4/127.0.0.0/ipcidr/8', '--ops-enabled', 'false',
    '--gateway-grpc-port', '0', '--gateway-rest-port', '0', '--gateway-rate-limit-per-second', '0',
    '--gossip-anti-entropy-interval-ms', '500', '--limits-gossip-anti-entropy-rate-per-sec', '4', '--log-format', 'json', '--log-level', 'info',
    ...(bootstrap === undefined ? [] : ['--bootstrap', bootstrap])
  ]
}

interface Running { child: ChildProcess, process: RunningProcess, grpc: string }

async function startNode (dataDir: string, bootstrap?: string): Promise<Running> {
  // No coverage: A is killed with SIGKILL, which writes none, B runs code the other tests cover, and
  // block coverage slows both (the campaign took 164 s with it, 125 s without, alone on a 2-core machine).
  const child = spawn(NODE, nodeArgs(dataDir, bootstrap), { env: withoutCoverage(), stdio: ['ignore', 'ignore', 'pipe'] })
  const process = await untilRunning(child)
  const grpc = process.running.grpc
  if (grpc === undefined) throw new Error('the node logged no gRPC address')
  return { child, process, grpc }
}

/** An app's subscription that survives its node: resumes from its last cursor on each new client. */
class Subscriber {
  readonly seen: string[] = []
  /** Failures of the subscription other than its node being killed (there must be none). */
  readonly errors: string[] = []
  cursor = ''
  resumes = 0
  private controller: AbortController | undefined
  private running: Promise<void> | undefined
  private client: SorchaClient | undefined

  /**
   * Follows `grpc` from the last cursor (the first time: from the end of the node's journal, as an
   * app that starts takes its position); resolves once the subscription is established.
   */
  async follow (grpc: string): Promise<void> {
    await this.stop()
    if (this.cursor === '') this.cursor = await endOf(grpc)
    else this.resumes++
    const client = new SorchaClient({ endpoints: { grpc }, maxAttempts: 1 })
    const controller = new AbortController()
    const established = Promise.withResolvers<void>()
    this.client = client
    this.controller = controller
    this.running = (async () => {
      for await (const item of client.subscribe({ registerIds: [REGISTER], cursor: this.cursor }, { signal: controller.signal, onEstablished: () => { established.resolve() } })) {
        const tx = item.transaction
        if (tx === undefined) continue
        this.seen.push(tx.txId)
        this.cursor = tx.cursor
      }
    })().catch((err: unknown) => {
      // The client retries a broken stream (its node killed) until aborted: a failure is a finding.
      if (controller.signal.aborted) return
      this.errors.push(`${(err as Error).name}: ${(err as Error).message}`)
      established.reject(err)
    })
    await established.promise
  }

  async stop (): Promise<void> {
    this.controller?.abort()
    await this.running
    this.client?.close()
    this.controller = undefined
    this.running = undefined
    this.client = undefined
  }
}

/** Submits unique payloads with `concurrency` in flight until stopped; records what was acknowledged. */
function submitLoop (grpc: string, concurrency: number, label: string, acked: Set<string>, failed: Set<string>): { stop: () => Promise<void> } {
  const client = new SorchaClient({ endpoints: { grpc }, transports: ['grpc-stream'], maxAttempts: 1, timeoutMs: 5_000 })
  let stopped = false
  let n = 0
  const worker = async (): Promise<void> => {
    while (!stopped) {
      const payload = Buffer.from(`${label} ${n++}`)
      try {
        const result = await client.submit({ registerId: REGISTER, payload })
        if (result.duplicate) throw new Error(`a fresh payload was reported as a duplicate: ${payload.toString()}`)
        acked.add(result.txId)
      } catch (err) {
        if ((err as Error).message.startsWith('a fresh payload')) throw err
        failed.add(txIdOf(payload))
        if (!stopped) await new Promise(resolve => setTimeout(resolve, 20))
      }
    }
  }
  const workers = Array.from({ length: concurrency }, async () => worker())
  return {
    stop: async () => {
      stopped = true
      await Promise.all(workers)
      client.close()
    }
  }
}

async function killed (node: Running): Promise<void> {
  node.child.kill('SIGKILL')
  await node.process.exit
}

/** The cursor after the last transaction a node holds now. */
async function endOf (grpc: string): Promise<string> {
  const client = new SorchaClient({ endpoints: { grpc } })
  try {
    let since = ''
    for (;;) {
      const page = await client.listTransactions({ since, limit: 1000 })
      if (page.transactions.length === 0 && !page.more) return page.nextCursor
      since = page.nextCursor
    }
  } finally {
    client.close()
  }
}

/** Every transaction of A's (or B's) journal in order, through ListTransactions. */
async function journal (grpc: string): Promise<string[]> {
  const client = new SorchaClient({ endpoints: { grpc } })
  try {
    const ids: string[] = []
    let since = ''
    for (;;) {
      const page = await client.listTransactions({ registerIds: [REGISTER], since, limit: 1000 })
      ids.push(...page.transactions.map(t => t.txId))
      since = page.nextCursor
      if (page.transactions.length === 0 && !page.more) return ids
    }
  } finally {
    client.close()
  }
}

/** Those of `ids` the node's store holds (GetTransaction). */
async function storedOf (grpc: string, ids: string[]): Promise<string[]> {
  const client = new SorchaClient({ endpoints: { grpc } })
  try {
    const found: string[] = []
    for (const id of ids) {
      const held = await client.getTransaction(id).then(() => true, (err: unknown) => { if ((err as Error).name === 'NotFoundError') return false; throw err })
      if (held) found.push(id)
    }
    return found
  } finally {
    client.close()
  }
}

/**
 * Counts of a subscriber against the journal it should have seen. An id the journal does not hold is
 * `unexpected` (not out of order): order is judged among the journal's own transactions.
 */
function compare (seen: string[], expected: string[]): { received: number, duplicates: number, missed: number, outOfOrder: number, unexpected: number } {
  const once = new Set(seen)
  const position = new Map(expected.map((id, i) => [id, i]))
  let outOfOrder = 0
  let unexpected = 0
  let previous = -1
  for (const id of seen) {
    const at = position.get(id)
    if (at === undefined) unexpected++
    else if (at < previous) outOfOrder++
    else previous = at
  }
  return { received: seen.length, duplicates: seen.length - once.size, missed: expected.filter(id => !once.has(id)).length, outOfOrder, unexpected }
}

/**
 * Waits until `check` holds; rejects after `limitMs`. A check that throws (a node slow to answer on a
 * loaded machine) counts as not yet, and its error is noted in `errors`: it must not end the wait
 * early, as it once did in CI, where the counts were then taken while B was still catching up.
 */
async function until (check: () => Promise<boolean>, what: string, limitMs: number, errors: string[]): Promise<void> {
  const deadline = Date.now() + limitMs
  for (;;) {
    try {
      if (await check()) return
    } catch (err) {
      errors.push(`${what}: ${(err as Error).name}: ${(err as Error).message}`)
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${limitMs} ms`)
    await new Promise(resolve => setTimeout(resolve, 250))
  }
}

/** What A and B say about the transactions missing on B (a failed campaign's evidence). */
async function diagnose (a: Running, b: Running, missing: string[], ackedIn: ReadonlyMap<string, number>): Promise<Diagnosis> {
  const missingByIteration: Record<number, number> = {}
  for (const id of missing) {
    const i = ackedIn.get(id) ?? -1
    missingByIteration[i] = (missingByIteration[i] ?? 0) + 1
  }
  const clientA = new SorchaClient({ endpoints: { grpc: a.grpc }, maxAttempts: 1 })
  const clientB = new SorchaClient({ endpoints: { grpc: b.grpc }, maxAttempts: 1 })
  const describe = async (client: SorchaClient): Promise<string> => {
    try {
      const { status } = await client.connectivity()
      return `${status === undefined ? '?' : connectivityStateToJSON(status.state)} (${status?.reason ?? '?'}), ${status?.connectedPeers ?? '?'} connected`
    } catch (err) {
      return `unknown: ${(err as Error).message}`
    }
  }
  const stateOf = async (client: SorchaClient, id: string): Promise<string> => {
    try {
      return transactionStateToJSON((await client.getTransaction(id)).header.state)
    } catch (err) {
      return (err as Error).name
    }
  }
  try {
    const samples: string[] = []
    for (const id of [...missing.slice(0, 3), ...missing.slice(-3)]) {
      samples.push(`${id.slice(0, 12)} (iteration ${ackedIn.get(id) ?? '?'}): A ${await stateOf(clientA, id)}, B ${await stateOf(clientB, id)}`)
    }
    return { missingByIteration, connectivityA: await describe(clientA), connectivityB: await describe(clientB), samples, warningsA: warnings(a.process.lines) }
  } finally {
    clientA.close()
    clientB.close()
  }
}

/** `read` retried (up to five tries, a second apart) while it throws; each error is noted in `errors`. */
async function patiently<T> (read: () => Promise<T>, what: string, errors: string[]): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read()
    } catch (err) {
      errors.push(`${what}: ${(err as Error).name}: ${(err as Error).message}`)
      if (attempt === 5) throw err
      await new Promise(resolve => setTimeout(resolve, 1000))
    }
  }
}

/** Runs the campaign; always stops its processes and deletes its directories. */
export async function runCampaign (options: CampaignOptions): Promise<CampaignReport> {
  const started = Date.now()
  const rng: Rng = createRng(options.seed)
  const root = await mkdtemp(join(tmpdir(), 'sorcha-crash-'))
  const acked = new Set<string>()
  /** Errors of the checks while waiting for B and the subscribers (reported, never fatal). */
  const waitErrors: string[] = []
  /** The iteration that acknowledged each transaction. */
  const ackedIn = new Map<string, number>()
  const failed = new Set<string>()
  const perIteration: number[] = []
  const subA = new Subscriber()
  const subB = new Subscriber()
  let b: Running | undefined
  let a: Running | undefined
  try {
    b = await startNode(join(root, 'b'))
    // B logs every offence it counts (debug, reputation only): the evidence if B stops taking A's transactions.
    const admin = new SorchaClient({ endpoints: { grpc: b.grpc } })
    await admin.setLogLevel('debug', 'sorcha:reputation').finally(() => { admin.close() })
    const bootstrap = b.process.running.addresses.find(x => x.includes('/ip4/127.0.0.1/'))
    if (bootstrap === undefined) throw new Error('B logged no loopback address')
    await subB.follow(b.grpc)
    for (let i = 0; i < options.iterations; i++) {
      a = await startNode(join(root, 'a'), bootstrap)
      await subA.follow(a.grpc)
      const before = acked.size
      const submitting = submitLoop(a.grpc, options.concurrency, `crash ${options.seed} ${i}`, acked, failed)
      await new Promise(resolve => setTimeout(resolve, rng.int(options.maxRunMs + 1)))
      await killed(a)
      await Promise.all([submitting.stop(), subA.stop()])
      perIteration.push(acked.size - before)
      for (const id of acked) if (!ackedIn.has(id)) ackedIn.set(id, i)
      options.log?.(`iteration ${i + 1}/${options.iterations}: ${acked.size - before} acknowledged, ${subA.seen.length} seen by A's subscriber`)
    }
    a = await startNode(join(root, 'a'), bootstrap)
    const restartedAt = Date.now()
    const held = await patiently(async () => journal(a!.grpc), 'A\'s journal', waitErrors)
    const heldSet = new Set(held)
    const unjournaled = await patiently(async () => storedOf(a!.grpc, [...acked].filter(id => !heldSet.has(id))), 'A\'s store', waitErrors)
    // Waits while B keeps catching up (a loaded machine catches up slowly) until it holds all that A
    // holds (acknowledged or stored unacknowledged: then nothing more is on its way to B when B's
    // journal is read below); gives up after 120 s in which B gained nothing, and the assertions
    // below then name what is missing.
    let progress = { count: -1, at: Date.now() }
    await until(async () => {
      const onB = new Set(await journal(b!.grpc))
      if (onB.size > progress.count) progress = { count: onB.size, at: Date.now() }
      return ([...acked].every(id => onB.has(id)) && held.every(id => onB.has(id))) || Date.now() - progress.at > 120_000
    }, 'every transaction A holds on B', 15 * 60_000, waitErrors).catch(() => {})
    const convergeMs = Date.now() - restartedAt
    const onB = await patiently(async () => journal(b!.grpc), 'B\'s journal', waitErrors)
    const onBSet = new Set(onB)
    const missing = [...acked].filter(id => !onBSet.has(id))
    const diagnosis = missing.length === 0 ? undefined : await diagnose(a, b, missing, ackedIn)
    // The subscribers catch up with what their node holds now.
    await subA.follow(a.grpc)
    // (A shortfall is reported as `missed`, not thrown.)
    const caughtUp = (seen: string[], expected: string[]) => async (): Promise<boolean> => { const got = new Set(seen); return expected.every(id => got.has(id)) }
    await until(caughtUp(subA.seen, held), 'A\'s subscriber caught up', 60_000, waitErrors).catch(() => {})
    await until(caughtUp(subB.seen, onB), 'B\'s subscriber caught up', 60_000, waitErrors).catch(() => {})
    // A moment for anything extra (a duplicate) to arrive before counting.
    await new Promise(resolve => setTimeout(resolve, 300))
    await Promise.all([subA.stop(), subB.stop()])
    return {
      seed: options.seed,
      iterations: options.iterations,
      acknowledged: acked.size,
      unacknowledged: failed.size,
      storedUnacknowledged: [...failed].filter(id => heldSet.has(id)).length,
      acknowledgedLost: [...acked].filter(id => !heldSet.has(id)).length - unjournaled.length,
      acknowledgedNotJournaled: unjournaled.length,
      missingOnB: missing.length,
      journalA: held.length,
      subscriberA: { ...compare(subA.seen, held), resumes: subA.resumes, errors: subA.errors },
      subscriberB: { ...compare(subB.seen, onB), errors: subB.errors },
      perIteration,
      convergeMs,
      durationMs: Date.now() - started,
      warningsB: warnings(b.process.lines),
      punishedB: warnings(b.process.lines, line => PUNISHMENT.test(String(line.msg))),
      waitErrors: waitErrors.slice(0, 5).concat(waitErrors.length > 5 ? [`... ${waitErrors.length - 5} more`] : []),
      ...(diagnosis === undefined ? {} : { diagnosis })
    }
  } finally {
    await Promise.all([subA.stop(), subB.stop()])
    for (const node of [a, b]) {
      if (node !== undefined && node.child.exitCode === null && node.child.signalCode === null) await killed(node)
    }
    await rm(root, { recursive: true, force: true })
  }
}
