/**
 * Reads docker/Dockerfile and .dockerignore the way Docker does, far enough for the tests that check
 * the image without a container engine: instructions per build stage, COPY sources and targets,
 * ENV values, and which paths of the repository the build context holds.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'

/** The repository root. */
export const ROOT = new URL('../..', import.meta.url).pathname

/** One Dockerfile instruction. */
export interface Instruction {
  /** Index of the build stage (0 before and at the first FROM). */
  stage: number
  /** Upper-case instruction name: FROM, COPY, RUN... */
  op: string
  /** The rest of the instruction, continuation lines joined. */
  args: string
}

/** Parses a Dockerfile into instructions (comments dropped, `\` continuations joined). */
export function parseDockerfile (text: string): Instruction[] {
  const out: Instruction[] = []
  let stage = -1
  let pending = ''
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (pending === '' && (line === '' || line.startsWith('#'))) continue
    if (line.startsWith('#')) continue
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `
      continue
    }
    const full = (pending + line).trim()
    pending = ''
    if (full === '') continue
    const [op = '', ...rest] = full.split(/\s+/)
    if (op.toUpperCase() === 'FROM') stage++
    out.push({ stage: Math.max(stage, 0), op: op.toUpperCase(), args: rest.join(' ') })
  }
  return out
}

/** Reads and parses docker/Dockerfile. */
export async function readDockerfile (): Promise<Instruction[]> {
  return parseDockerfile(await readFile(join(ROOT, 'docker/Dockerfile'), 'utf8'))
}

/** A COPY instruction's flags, sources and target. */
export interface Copy {
  stage: number
  from?: string
  sources: string[]
  target: string
}

/** The COPY instructions (shell form only, which is all the Dockerfile uses). */
export function copies (instructions: Instruction[]): Copy[] {
  return instructions.filter(i => i.op === 'COPY').map(i => {
    const words = i.args.split(/\s+/)
    const flags = words.filter(w => w.startsWith('--'))
    const paths = words.filter(w => !w.startsWith('--'))
    const from = flags.find(f => f.startsWith('--from='))?.slice('--from='.length)
    return { stage: i.stage, ...(from === undefined ? {} : { from }), sources: paths.slice(0, -1), target: paths.at(-1) ?? '' }
  })
}

/** The ENV values of a stage (`ENV A=1 B=2` form). */
export function envOf (instructions: Instruction[], stage: number): Record<string, string> {
  const env: Record<string, string> = {}
  for (const i of instructions.filter(x => x.op === 'ENV' && x.stage === stage)) {
    for (const pair of i.args.split(/\s+/)) {
      const eq = pair.indexOf('=')
      if (eq > 0) env[pair.slice(0, eq)] = pair.slice(eq + 1)
    }
  }
  return env
}

/** An exec-form (JSON array) argument, e.g. of ENTRYPOINT or HEALTHCHECK ... CMD. */
export function execForm (args: string): string[] {
  const json = args.slice(args.indexOf('['))
  return JSON.parse(json) as string[]
}

/**
 * A .dockerignore matcher: patterns apply in order, the last one that matches a path or one of its
 * parent folders decides, `!` re-includes; `*` stays within one path segment, `**` spans several.
 */
export function dockerignore (text: string): (path: string) => boolean {
  const rules = text.split('\n').map(l => l.trim()).filter(l => l !== '' && !l.startsWith('#')).map(line => {
    const negate = line.startsWith('!')
    const pattern = (negate ? line.slice(1) : line).replace(/^\/+|\/+$/g, '')
    const source = pattern.split('/').map(seg => seg === '**'
      ? '.*'
      : seg.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')).join('/')
    return { negate, re: new RegExp(`^${source.replace(/\.\*\//g, '(?:.*/)?')}$`) }
  })
  /** True when the path is in the build context (not ignored). */
  return (path: string): boolean => {
    const parts = path.split('/')
    const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'))
    let included = true
    for (const rule of rules) {
      if (prefixes.some(p => rule.re.test(p))) included = rule.negate
    }
    return included
  }
}
