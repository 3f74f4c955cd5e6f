/**
 * Child processes that collect no V8 coverage while the suite runs under c8. Block coverage slows the
 * instrumented code several times over (a node process, npm, tsc), so it is turned off where it buys
 * nothing: children that run code outside the measured sources (npm, tsc, a packed or staged copy of
 * the package) or that are killed with SIGKILL (a killed process writes no coverage), and a
 * computation that tests figures, not lines.
 */

/** Whether this process collects coverage (c8 sets NODE_V8_COVERAGE). */
export const collectingCoverage = (): boolean => (process.env.NODE_V8_COVERAGE ?? '') !== ''

/**
 * `env` (default: this process's) for a child that collects no coverage. The variable is emptied,
 * not deleted: Node copies its own NODE_V8_COVERAGE into a child's environment that lacks one.
 */
export function withoutCoverage (env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...env, NODE_V8_COVERAGE: '' }
}
