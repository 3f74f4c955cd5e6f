/**
 * Local delivery of a direct message: to the in-process `direct:message` listeners (synchronous) and
 * to receivers, the app streams of the gateway, which resolve true once the app's stream took the
 * message. A message is acknowledged `accepted` only when one of them has it; otherwise the sender
 * gets reason `no_listener`.
 */
import type { DirectMessageReceived } from './types.ts'

/** An app-side receiver of direct messages (the gateway's ReceiveMessages, Session and SSE streams). */
export interface DirectReceiver {
  /** Topics it takes; undefined = every topic. */
  topics?: ReadonlySet<string>
  /** Offers it a message; resolves true once the app's stream has it, false if it could not take it. */
  deliver: (message: DirectMessageReceived) => Promise<boolean>
}

/** Reason code of a message no app took. */
export const NO_LISTENER = 'no_listener'

/** True as soon as one offer resolves true; false when all resolve false or `timeoutMs` passes first. */
export async function firstDelivered (offers: Array<Promise<boolean>>, timeoutMs: number): Promise<boolean> {
  if (offers.length === 0) return false
  return await new Promise<boolean>(resolve => {
    let left = offers.length
    const timer = setTimeout(() => { resolve(false) }, timeoutMs)
    const done = (ok: boolean): void => {
      if (ok || --left === 0) {
        clearTimeout(timer)
        resolve(ok)
      }
    }
    for (const offer of offers) offer.then(done, () => { done(false) })
  })
}
