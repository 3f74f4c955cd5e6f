/** Defaults and bounds of the health monitor (tunables are in configuration `health.*`). */

/** Candidates read from the last-seen index per round, as a multiple of `health.sampleSize`. */
export const SAMPLE_CANDIDATE_FACTOR = 4

/**
 * Peers without a connection checked per round. Such a check is a dial: a Noise handshake, identify
 * and every protocol's on-connect work, ~20 ms of CPU against well under 1 ms for a ping over an open
 * connection. Measured with 100 nodes: unbounded, these probes were most of the idle CPU (1.2 % of a
 * core per node). At 2 per 30 s round, a peer that went away is still found within a few rounds.
 */
export const PROBES_PER_ROUND = 2

/** Pings in flight at once within a round. */
export const PING_CONCURRENCY = 16

/** Most peers whose last check time is remembered (oldest forgotten first; removed peers dropped). */
export const LAST_CHECKED_MAX = 65_536

/** Most protocol ids recorded from identify (MODEL_LIMITS.maxProtocols). */
export const IDENTIFY_MAX_PROTOCOLS = 64

/** Default round interval (configuration `health.intervalMs`). */
export const DEFAULT_INTERVAL_MS = 30_000

/** Default ping timeout (configuration `health.timeoutMs`). */
export const DEFAULT_TIMEOUT_MS = 5_000

/** Default peers per round (configuration `health.sampleSize`). */
export const DEFAULT_SAMPLE_SIZE = 16

/** Default connection target for the network score (configuration `connections.min`). */
export const DEFAULT_MIN_CONNECTIONS = 8
