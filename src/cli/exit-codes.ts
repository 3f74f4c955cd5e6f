/** Exit codes of the sorcha-peer command line. */

/** Exit code for a user mistake: bad flags, bad configuration, a data directory that is not there. */
export const EXIT_USAGE = 2

/** Exit code for a failure of the environment or at run time (port taken, node unreachable). */
export const EXIT_FAILURE = 1
