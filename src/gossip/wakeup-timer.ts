/**
 * One timer for a protocol core's next wakeup (`nextWakeup()`), shared by the tx-gossip and the
 * reconciliation drivers: re-armed only when the wakeup comes earlier than the armed one, since
 * re-arming on each input would cost a clearTimeout and a setTimeout per message for nothing.
 */
export class WakeupTimer {
  private timer: ReturnType<typeof setTimeout> | undefined
  private armedAt: number | undefined
  private readonly onWakeup: () => void

  constructor (onWakeup: () => void) {
    this.onWakeup = onWakeup
  }

  /** Fires at `at` (epoch ms) unless an earlier wakeup is armed; nothing when `at` is undefined. */
  arm (at: number | undefined): void {
    if (at === undefined) return
    if (this.timer !== undefined && this.armedAt !== undefined && this.armedAt <= at) return
    clearTimeout(this.timer)
    this.armedAt = at
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.armedAt = undefined
      this.onWakeup()
    }, Math.max(0, at - Date.now()))
  }

  /** Cancels the armed wakeup. */
  clear (): void {
    clearTimeout(this.timer)
    this.timer = undefined
    this.armedAt = undefined
  }
}
