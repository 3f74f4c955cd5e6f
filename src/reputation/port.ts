// the libp2p service name is `reputation` (components.reputation); it may be absent (tests, or a
// node started without a peer list): callers look it up like sorcha-distributor.peerList() does
// today (try/catch around the component getter) and carry on without it.
export interface ReputationPort {
  /** Records one offence by `peerId` now. Synchronous, cheap (called on hot paths), never throws. */
  penalise (peerId: string, offence: Offence, detail?: string): void
  /** True while the peer is graylisted: its gossip announcements and requests are ignored. */
  isGraylisted (peerId: string): boolean
}

/** Offence codes (snake_case, stable: they appear in events, metrics labels and bans' reasons). */
export type Offence =
  | 'invalid_message'     // a reject verdict: malformed frame, tx id mismatch, bad notification ...
  | 'rate_limited'        // a token bucket ran dry (emitted once per throttle episode, not per message)
  | 'unserved_fetch'      // announced or offered a transaction, then did not serve it (notfound, timeout)
  | 'oversized'           // a payload or frame above the advertised/configured limit
  | 'decompression_bomb'  // a compressed body that inflates past its limit
  | 'stream_storm'        // opened streams faster than its stream bucket allows
  | 'protocol_violation'  // anything else a decoder rejects (peer exchange, direct, reconcile)
