/**
 * Loads the configuration once, at the edge: file < environment (SORCHA_*) < CLI flags, validated
 * against the schema into a frozen, fully defaulted object. Any rejection is a ConfigError whose
 * message names the key, the value, its source and what is allowed.
 */
import { readFile } from 'node:fs/promises'
import { parse as parseYaml } from 'yaml'
import type { z } from 'zod'
import { ConfigError, ConfigFileError } from './errors.ts'
import { configLeaves, type ConfigLeaf } from './leaves.ts'
import { configSchema, type Config } from './schema.ts'
import { isServiceLink } from './service-links.ts'

/** Environment variable naming a configuration file; --config wins over it. */
export const CONFIG_FILE_ENV = 'SORCHA_CONFIG'

/** The raw inputs, before validation. */
export interface ConfigSources {
  /** Parsed contents of a configuration file, and its path for messages. */
  file?: { path: string, data: unknown }
  /** Environment variables; only SORCHA_* are read, and Kubernetes service links among them are ignored. */
  env?: Record<string, string | undefined>
  /** Values from CLI flags, by dotted key (e.g. 'health.intervalMs'); strings are parsed like env values. */
  flags?: Record<string, unknown>
}

type Tree = Record<string, unknown>

const isTree = (v: unknown): v is Tree => typeof v === 'object' && v !== null && !Array.isArray(v)

function getAt (tree: unknown, path: readonly PropertyKey[]): unknown {
  let node = tree
  for (const segment of path) {
    if (typeof node !== 'object' || node === null) return undefined
    node = (node as Record<PropertyKey, unknown>)[segment]
  }
  return node
}

function setAt (tree: Tree, path: readonly string[], value: unknown): void {
  let node = tree
  for (const segment of path.slice(0, -1)) {
    if (!isTree(node[segment])) node[segment] = {}
    node = node[segment] as Tree
  }
  node[path[path.length - 1] as string] = value
}

function deepFreeze<T> (value: T): Readonly<T> {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child)
    Object.freeze(value)
  }
  return value
}

/** Turns a string (env) or flag value into the leaf's type; the schema then checks its range. */
function fromText (leaf: ConfigLeaf, raw: unknown, source: string): unknown {
  if (leaf.kind === 'list') {
    const parts = (Array.isArray(raw) ? raw : [raw]).flatMap(v => String(v).split(','))
    return parts.map(p => p.trim()).filter(p => p !== '')
  }
  if (typeof raw !== 'string') return raw
  const text = raw.trim()
  switch (leaf.kind) {
    case 'integer':
      if (!/^[+-]?\d+$/.test(text)) throw new ConfigError(leaf.key, raw, source, leaf.allowed, 'not an integer')
      return Number(text)
    case 'number': {
      const n = Number(text)
      if (text === '' || !Number.isFinite(n)) throw new ConfigError(leaf.key, raw, source, leaf.allowed, 'not a number')
      return n
    }
    case 'boolean':
      if (/^(true|1|yes|on)$/i.test(text)) return true
      if (/^(false|0|no|off)$/i.test(text)) return false
      throw new ConfigError(leaf.key, raw, source, leaf.allowed, 'not a boolean')
    default:
      return text
  }
}

/** Zod's own wording, where it adds to the `allowed` phrase; range and choice errors need none. */
function detailOf (issue: z.core.$ZodIssue, itemIndex: PropertyKey | undefined): string | undefined {
  const item = itemIndex === undefined ? '' : `item ${String(itemIndex)}: `
  switch (issue.code) {
    case 'too_small': case 'too_big': case 'invalid_value':
      return itemIndex === undefined ? undefined : `${item}out of range`
    case 'invalid_type':
      return `${item}${issue.message.replace(/^Invalid input: /, '')}`
    default:
      return `${item}${issue.message}`
  }
}

function describeIssue (issue: z.core.$ZodIssue, merged: Tree, origin: Map<string, string>, fileSource: string): ConfigError {
  if (issue.code === 'unrecognized_keys') {
    const parent = issue.path.map(String)
    const name = issue.keys[0] ?? ''
    const under = configLeaves.filter(l => l.path.length > parent.length && parent.every((p, i) => l.path[i] === p))
    const keys = [...new Set(under.map(l => l.path[parent.length]))]
    return new ConfigError([...parent, name].join('.'), getAt(merged, [...parent, name]), fileSource, `one of the keys ${keys.join(', ')}`, 'unknown key')
  }
  const leaf = configLeaves.find(l => l.path.every((p, i) => issue.path[i] === p))
  const key = leaf?.key ?? issue.path.join('.')
  const params = (issue as { params?: { allowed?: string } }).params
  const itemIndex = leaf !== undefined && issue.path.length > leaf.path.length ? issue.path[leaf.path.length] : undefined
  return new ConfigError(key, getAt(merged, leaf?.path ?? issue.path), origin.get(key) ?? 'default', params?.allowed ?? leaf?.allowed ?? 'see docs/configuration.md', detailOf(issue, itemIndex))
}

/**
 * Merges and validates configuration sources (file < env < flags).
 * @throws ConfigError naming the first bad key
 */
export function resolveConfig (sources: ConfigSources): Readonly<Config> {
  const merged: Tree = {}
  const origin = new Map<string, string>()
  if (sources.file !== undefined) {
    const data = sources.file.data ?? {}
    if (!isTree(data)) throw new ConfigFileError(sources.file.path, 'the top level must be a mapping of keys to values')
    Object.assign(merged, structuredClone(data))
    for (const leaf of configLeaves) {
      if (getAt(data, leaf.path) !== undefined) origin.set(leaf.key, `file ${sources.file.path}`)
    }
  }
  const env = sources.env ?? {}
  const known = new Set([CONFIG_FILE_ENV, ...configLeaves.map(l => l.env)])
  for (const name of Object.keys(env).sort()) {
    // Kubernetes service links (SORCHA_PEER_SERVICE_HOST...) are not settings: see service-links.ts.
    if (name.startsWith('SORCHA_') && !known.has(name) && !isServiceLink(name, env[name])) {
      throw new ConfigError(name, env[name], 'the environment', 'SORCHA_CONFIG, a variable listed in docs/configuration.md, or a Kubernetes service link (docs/adr/0005-environment-variables.md)', 'unknown environment variable')
    }
  }
  for (const leaf of configLeaves) {
    const raw = env[leaf.env]
    // A Service named e.g. sorcha-ops injects SORCHA_OPS_PORT=tcp://10.0.0.5:4290, which is not a port.
    if (raw === undefined || isServiceLink(leaf.env, raw)) continue
    const source = `env ${leaf.env}`
    setAt(merged, leaf.path, fromText(leaf, raw, source))
    origin.set(leaf.key, source)
  }
  for (const leaf of configLeaves) {
    const raw = sources.flags?.[leaf.key]
    if (raw === undefined) continue
    const source = `flag ${leaf.flag}`
    setAt(merged, leaf.path, fromText(leaf, raw, source))
    origin.set(leaf.key, source)
  }
  const result = configSchema.safeParse(merged)
  if (!result.success) {
    const issue = result.error.issues[0]
    if (issue !== undefined) throw describeIssue(issue, merged, origin, sources.file === undefined ? 'file' : `file ${sources.file.path}`)
  }
  return deepFreeze(result.data as Config)
}

/** Reads and parses a YAML or JSON configuration file. */
export async function readConfigFile (path: string): Promise<{ path: string, data: unknown }> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw new ConfigFileError(path, (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message)
  }
  try {
    return { path, data: parseYaml(text, { prettyErrors: true }) }
  } catch (err) {
    throw new ConfigFileError(path, (err as Error).message.split('\n')[0] ?? 'not valid YAML or JSON')
  }
}

/**
 * Loads the configuration from a file (the `configFile` argument, else $SORCHA_CONFIG, else none),
 * the environment and flags.
 */
export async function loadConfig (options: { configFile?: string, env?: Record<string, string | undefined>, flags?: Record<string, unknown> } = {}): Promise<Readonly<Config>> {
  const env = options.env ?? process.env
  const path = options.configFile ?? env[CONFIG_FILE_ENV]
  const file = path === undefined || path === '' ? undefined : await readConfigFile(path)
  return resolveConfig({ ...(file === undefined ? {} : { file }), env, ...(options.flags === undefined ? {} : { flags: options.flags }) })
}
