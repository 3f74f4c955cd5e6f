/**
 * Peer ids for simulated nodes: syntactically valid libp2p Ed25519 peer ids (base58btc "12D3KooW…",
 * 52 characters) derived from the node index. The engine names nodes by index; these are for
 * bindings whose cores want peer ids (and validate them), and for the sizes of messages that carry
 * one. They are not backed by keys: nothing in a simulation signs.
 */
const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'
const PREFIX = '12D3KooW'
const BODY_LENGTH = 44
/** Digits of the index: 58^8 > 10^14 nodes, far beyond any run. */
const INDEX_DIGITS = 8
/** What fills the id after the index digits. */
const FILLER = 'S'.repeat(BODY_LENGTH - INDEX_DIGITS)

/** The simulated peer id of node `index`. */
export function simPeerId (index: number): string {
  let n = index
  let digits = ''
  for (let i = 0; i < INDEX_DIGITS; i++) {
    digits += BASE58[n % 58]! // least significant first: ids of nearby indices differ at once
    n = Math.floor(n / 58)
  }
  // A fixed-width index right after the prefix, then a fixed filler: distinct indices give distinct
  // ids, and two ids usually differ at their 9th character, so comparing them stays cheap (cores
  // compare peer ids in lists; real ids are random and differ early too).
  return PREFIX + digits + FILLER
}

// Ids are a pure function of the index, so they are computed once per process and shared by runs.
const idCache: string[] = []

/**
 * The same string, internalized (V8 keeps one copy of each property name): two internalized strings
 * are equal only if they are the same object, so comparing them (as Map keys, in lists) costs no
 * character comparison, and a flat string saves the indirection a concatenated one carries.
 */
export function internalized (s: string): string {
  return Object.keys({ [s]: 0 })[0] ?? s
}

/** The simulated peer id of node `index`, computed once per process. */
export function peerIdOf (index: number): string {
  let id = idCache[index]
  if (id === undefined) {
    id = internalized(simPeerId(index))
    idCache[index] = id
  }
  return id
}
