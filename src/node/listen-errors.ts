/**
 * Why libp2p could not listen. When a listener fails, libp2p's transport manager throws one
 * UnsupportedListenAddressesError whose message lists every address with its error's text; the
 * errors themselves (with `code`: EADDRINUSE...) are not kept. This wrapper around a transport keeps
 * the first error per address so the node can name the address and the cause in one line.
 */
import type { Listener, Transport } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** Listen failures by multiaddr string, in the order they happened. */
export type ListenFailures = Map<string, unknown>

/** Wraps a transport factory so that its listeners record their listen failures in `failures`. */
export function recordListenFailures<C> (factory: (components: C) => Transport, failures: ListenFailures): (components: C) => Transport {
  return components => {
    const transport = factory(components)
    const createListener = transport.createListener.bind(transport)
    transport.createListener = (options): Listener => {
      const listener = createListener(options)
      const listen = listener.listen.bind(listener)
      listener.listen = async (ma: Multiaddr): Promise<void> => {
        try {
          await listen(ma)
        } catch (err) {
          if (!failures.has(ma.toString())) failures.set(ma.toString(), err)
          throw err
        }
      }
      return listener
    }
    return transport
  }
}
