/**
 * The address service: what this node's address is and what stands between it and the internet.
 * Precedence: configuration (announce addresses, nat.forceType) > STUN > HTTP lookup > addresses that
 * identify observed and AutoNAT confirmed. An external IP found by STUN or lookup is offered to libp2p
 * as a public address mapping (see libp2p-addresses.ts), so AutoNAT tests whether peers can dial it.
 * Re-checks every nat.recheckIntervalMs; emits `address:changed` whenever the status changes.
 */
import { TypedEventEmitter } from 'main-event'
import { logger, type Logger } from '../logging/index.ts'
import { DEFAULT_AUTONAT_POLL_INTERVAL_MS, DEFAULT_RECHECK_INTERVAL_MS, MAX_STATUS_ERRORS } from './constants.ts'
import { detectNat, type AddressMethod, type DetectOptions, type NatReport } from './detect.ts'
import { mappingsFor, readAutoNat, type AddressManagerLike, type AutoNatView, type OfferedMapping, type Reachability } from './libp2p-addresses.ts'

/** Options of the address service (all optional). */
export interface AddressServiceInit extends Omit<DetectOptions, 'signal'> {
  /** @default 1800000 (30 minutes) */
  recheckIntervalMs?: number
  /** How often AutoNAT's verdicts are re-read from the address manager. @default 5000 */
  autonatPollIntervalMs?: number
}

/** The libp2p components the service uses. */
export interface AddressServiceComponents {
  addressManager: AddressManagerLike
  events: Pick<EventTarget, 'addEventListener' | 'removeEventListener'>
}

/** The address status, as the node's status shows it. */
export interface AddressStatus extends Omit<NatReport, 'method'> {
  method: AddressMethod
  /** AutoNAT's verdict on our public addresses. */
  reachability: Reachability
  autonat: AutoNatView
  /** When the last check finished (ms since the epoch); undefined before the first. */
  checkedAt?: number
}

/** Events of the address service. */
export interface AddressServiceEvents {
  'address:changed': CustomEvent<AddressStatus>
}

const EMPTY_REPORT: NatReport = { interfaces: [], method: 'none', mapping: 'unknown', filtering: 'unknown', natType: 'unknown', forced: false, behaviourTestsSupported: false, problems: [] }

/** Detects and tracks the node's external address and NAT type. */
export class DefaultAddressService extends TypedEventEmitter<AddressServiceEvents> {
  readonly [Symbol.toStringTag] = 'sorcha:address'
  private readonly init: AddressServiceInit
  private readonly components: AddressServiceComponents
  private readonly log: Logger
  private report: NatReport = EMPTY_REPORT
  private checkedAt: number | undefined
  private current: AddressStatus
  private offered: OfferedMapping[] = []
  private started = false
  private timer: ReturnType<typeof setTimeout> | undefined
  private pollTimer: ReturnType<typeof setTimeout> | undefined
  private running: { controller: AbortController, done: Promise<AddressStatus> } | undefined
  private readonly onSelfUpdate = (): void => { this.refresh() }

  constructor (components: AddressServiceComponents, init: AddressServiceInit = {}) {
    super()
    this.components = components
    this.init = init
    this.log = logger('sorcha:nat')
    this.current = this.compose()
  }

  /** True between start() and stop(). */
  isStarted (): boolean {
    return this.started
  }

  /** Starts listening to libp2p's address updates. Idempotent. */
  start (): void {
    if (this.started) return
    this.started = true
    this.components.events.addEventListener('self:peer:update', this.onSelfUpdate)
    this.poll()
  }

  private poll (): void {
    this.pollTimer = setTimeout(() => {
      this.refresh()
      if (this.started) this.poll()
    }, this.init.autonatPollIntervalMs ?? DEFAULT_AUTONAT_POLL_INTERVAL_MS)
  }

  /** Runs the first check once libp2p listens (transport addresses exist only then). */
  afterStart (): void {
    if (this.started && this.timer === undefined && this.running === undefined) this.schedule(0)
  }

  /** Stops timers and listeners, aborts a running check, withdraws the mappings it offered. Idempotent. */
  async stop (): Promise<void> {
    if (!this.started) return
    this.started = false
    clearTimeout(this.timer)
    clearTimeout(this.pollTimer)
    this.timer = undefined
    this.pollTimer = undefined
    this.components.events.removeEventListener('self:peer:update', this.onSelfUpdate)
    const running = this.running
    running?.controller.abort()
    await running?.done.catch(() => {})
    this.withdraw()
  }

  /** The latest status (no network activity). */
  status (): AddressStatus {
    return this.current
  }

  /** Runs a check now (joining one already running). */
  async check (options: { signal?: AbortSignal } = {}): Promise<AddressStatus> {
    options.signal?.throwIfAborted()
    if (this.running === undefined) {
      const controller = new AbortController()
      const done = this.runCheck(controller.signal).finally(() => { this.running = undefined })
      this.running = { controller, done }
    }
    const { done } = this.running
    const signal = options.signal
    if (signal === undefined) return done
    // The check is shared; the caller's signal only stops the caller's wait.
    let onAbort = (): void => {}
    const aborted = new Promise<never>((_resolve, reject) => {
      onAbort = () => { reject(signal.reason) }
      signal.addEventListener('abort', onAbort, { once: true })
    })
    try {
      return await Promise.race([done, aborted])
    } finally {
      signal.removeEventListener('abort', onAbort)
    }
  }

  private schedule (delayMs: number): void {
    clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.check().catch(err => { this.log.debug({ err }, 'address check aborted') }).finally(() => {
        if (this.started) this.schedule(this.init.recheckIntervalMs ?? DEFAULT_RECHECK_INTERVAL_MS)
      })
    }, delayMs)
  }

  private async runCheck (signal: AbortSignal): Promise<AddressStatus> {
    const report = await detectNat({ ...this.init, signal })
    const problems = [...report.problems].slice(-MAX_STATUS_ERRORS)
    this.report = { ...report, problems }
    this.checkedAt = Date.now()
    if (!signal.aborted) this.offer(report)
    this.refresh()
    return this.current
  }

  /** Offers an external IP from STUN or lookup to libp2p as a mapping of our TCP listeners. */
  private offer (report: NatReport): void {
    const external = report.method === 'stun' || report.method === 'http' ? report.externalAddress : undefined
    const isLocal = external !== undefined && report.interfaces.some(i => i.address === external)
    const wanted = external === undefined || isLocal ? [] : mappingsFor(this.components.addressManager, external)
    const key = (m: OfferedMapping): string => `${m.internalIp}|${m.port}|${m.externalIp}`
    const wantedKeys = new Set(wanted.map(key))
    for (const m of this.offered.filter(m => !wantedKeys.has(key(m)))) {
      this.components.addressManager.removePublicAddressMapping(m.internalIp, m.port, m.externalIp, m.port, 'tcp')
    }
    const offeredKeys = new Set(this.offered.map(key))
    for (const m of wanted.filter(m => !offeredKeys.has(key(m)))) {
      this.components.addressManager.addPublicAddressMapping(m.internalIp, m.port, m.externalIp, m.port, 'tcp')
      this.log.info({ internal: `${m.internalIp}:${m.port}`, external: `${m.externalIp}:${m.port}` }, 'offered external address to AutoNAT')
    }
    this.offered = wanted
  }

  private withdraw (): void {
    for (const m of this.offered) this.components.addressManager.removePublicAddressMapping(m.internalIp, m.port, m.externalIp, m.port, 'tcp')
    this.offered = []
  }

  private compose (): AddressStatus {
    const autonat = readAutoNat(this.components.addressManager)
    const status: AddressStatus = { ...this.report, reachability: autonat.reachability, autonat }
    if (this.checkedAt !== undefined) status.checkedAt = this.checkedAt
    // Lowest precedence: an address peers observed and AutoNAT confirmed.
    const confirmedIp = autonat.confirmed.map(a => a.split('/')[2]).find(ip => ip !== undefined)
    if (status.method === 'none' && confirmedIp !== undefined) Object.assign(status, { method: 'autonat', externalAddress: confirmedIp })
    return status
  }

  /** Recomputes the status; emits address:changed if anything but the timestamp changed. */
  private refresh (): void {
    const next = this.compose()
    const strip = (s: AddressStatus): string => JSON.stringify({ ...s, checkedAt: undefined })
    const changed = strip(next) !== strip(this.current)
    this.current = next
    if (changed) {
      this.log.info({ externalAddress: next.externalAddress, method: next.method, natType: next.natType, reachability: next.reachability }, 'address status changed')
      this.safeDispatchEvent('address:changed', { detail: next })
    }
  }
}
