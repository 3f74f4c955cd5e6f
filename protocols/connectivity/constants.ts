/**
 * Fixed bounds of the connectivity core (SPEC.md §6). The connection target comes from the
 * configuration (`connections.min`); everything else here is a constant.
 */

/** The five states, in the order the API's enum lists them (after UNSPECIFIED). */
export const CONNECTIVITY_STATES = ['offline', 'connecting', 'online', 'degraded', 'suspended'] as const

/** Why a transition happened: a bounded set of codes (SPEC.md §3), usable as metric labels. */
export const CONNECTIVITY_REASONS = [
  'node_started', 'peer_connected', 'peer_disconnected', 'peers_available', 'nothing_to_dial',
  'operator_suspend', 'operator_resume'
] as const

/** Longest operator note kept with a suspension, in characters (UTF-16 code units). */
export const NOTE_MAX_CHARS = 200

/** Transitions remembered for status pages (oldest dropped first). */
export const HISTORY_MAX = 16

/** Default wait between two re-evaluations when no event arrives, while not suspended. */
export const DEFAULT_RECHECK_INTERVAL_MS = 1000
