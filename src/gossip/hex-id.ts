/**
 * Tx ids from the wire to lower-case hex (the form toHex() gives, protocols/models), by Node's
 * encoder: one flat string. toHex's 32 concatenations leave a rope that the first Map lookup of the
 * id (the store's cache and claims, the fetch table, the seen set) has to flatten; received ids are
 * converted once per chunk, per announced item and per have-query item.
 */
export function hexOfId (bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
}
