/**
 * Peer ids for simulated nodes: syntactically valid libp2p Ed25519 peer ids (base58btc "12D3KooW…",
 * 52 characters) derived from the node index, so cores that validate peer ids accept them and a
 * report can name a node by index. They are not backed by keys: nothing in a simulation signs.
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

const DIGIT_VALUE = new Int8Array(128).fill(-1)
for (let i = 0; i < BASE58.length; i++) DIGIT_VALUE[BASE58.charCodeAt(i)] = i

// Ids are a pure function of the index, so they are computed once per process and shared by runs.
const idCache: string[] = []
// Id lists of shared (frozen) adjacency lists, e.g. the full topology reused across runs.
const listCache = new WeakMap<readonly number[], readonly string[]>()

/**
 * The same string, internalized (V8 keeps one copy of each property name). Cores compare peer ids
 * and transaction ids all the time (list membership, Map keys); two internalized strings are equal
 * only if they are the same object, so a mismatch costs no character comparison, and a flat string
 * saves the indirection a concatenated one carries.
 */
export function internalized (s: string): string {
  return Object.keys({ [s]: 0 })[0] ?? s
}

/** The cached simulated id of node `index`. */
function cachedId (index: number): string {
  let id = idCache[index]
  if (id === undefined) {
    id = internalized(simPeerId(index))
    idCache[index] = id
  }
  return id
}

/** Maps node indices to peer ids and back. */
export class PeerDirectory {
  /** The id of node `index`. */
  idOf (index: number): string { return cachedId(index) }

  /** The index of a peer id, or -1 if no simulated node has it. */
  indexOf (id: string): number {
    // Decoding the fixed-width digits and checking the rest of the id reads only the string, which
    // the caller has just used: cheaper than a lookup in a map of 100,000 ids, and than a look at
    // the id cache (one more cold load per message sent at 100,000 nodes).
    if (id.length !== PREFIX.length + BODY_LENGTH || !id.startsWith(PREFIX) || !id.endsWith(FILLER)) return -1
    let index = 0
    for (let i = PREFIX.length + INDEX_DIGITS - 1; i >= PREFIX.length; i--) {
      const d = DIGIT_VALUE[id.charCodeAt(i)] ?? -1
      if (d < 0) return -1
      index = index * 58 + d
    }
    return index
  }

  /** The ids of a list of nodes (memoized for frozen lists). */
  idsOf (list: readonly number[]): readonly string[] {
    const hit = listCache.get(list)
    if (hit !== undefined) return hit
    const ids = list.map(cachedId)
    if (Object.isFrozen(list)) listCache.set(list, Object.freeze(ids))
    return ids
  }
}
