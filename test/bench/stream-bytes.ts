/**
 * Counts every byte a node writes on the streams of given protocols, at the stream level (libp2p
 * stream middleware wrapping `send`), the same way for every strategy: our frames and gossipsub's
 * RPCs, control included. Noise/Yamux framing below the streams is not counted for either.
 * Install before any connection opens: middleware applies to streams opened afterwards.
 */
import type { Stream } from '@libp2p/interface'
import type { SorchaNode } from '../../src/node/sorcha-node.ts'

/** A shared byte counter. */
export interface ByteCounter { bytes: number }

/**
 * libp2p 3.3.11 appends the protocol handler to the registrar's stored middleware array on every
 * inbound stream (connection.js onIncomingStream: `getMiddleware(protocol).push(...)`), so once any
 * middleware is registered the handler runs once more for each later stream. Handing out a copy
 * of the array avoids that; without middleware libp2p passes a fresh array and is unaffected.
 * (Fixed upstream by libp2p/js-libp2p#3534, open at the time of writing.)
 */
function protectMiddleware (node: SorchaNode): void {
  const registrar = (node.libp2p as unknown as { components: { registrar: { getMiddleware: (p: string) => unknown[] } } }).components.registrar
  const getMiddleware = registrar.getMiddleware.bind(registrar)
  registrar.getMiddleware = (protocol) => [...getMiddleware(protocol)]
}

/** Wraps `send` on every stream of `protocols` on `node`, adding written bytes to `counter`. */
export function countStreamBytes (node: SorchaNode, protocols: readonly string[], counter: ByteCounter): void {
  protectMiddleware(node)
  for (const protocol of protocols) {
    node.libp2p.use(protocol, (stream: Stream, connection, next) => {
      const send = stream.send.bind(stream)
      stream.send = (data) => {
        counter.bytes += data.byteLength
        return send(data)
      }
      next(stream, connection)
    })
  }
}
