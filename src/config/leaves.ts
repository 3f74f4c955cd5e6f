/**
 * Walks the configuration schema into its leaves: one per setting, with the environment variable and
 * CLI flag derived from the setting's path. Everything that reads settings from strings (env, flags)
 * or documents them goes through this list, so a new setting needs no other wiring.
 */
import type { z } from 'zod'
import { configSchema } from './schema.ts'
import type { SettingMeta } from './fields.ts'

/** How a leaf's value is written in an environment variable or on the command line. */
export type LeafKind = 'string' | 'integer' | 'number' | 'boolean' | 'enum' | 'list'

/** One setting of the configuration. */
export interface ConfigLeaf {
  /** Path in the configuration object, e.g. ['health', 'intervalMs']. */
  path: string[]
  /** Dotted path, e.g. health.intervalMs. */
  key: string
  /** e.g. SORCHA_HEALTH_INTERVAL_MS */
  env: string
  /** e.g. --health-interval-ms */
  flag: string
  kind: LeafKind
  description: string
  allowed: string
  fallback: unknown
  /** For enums, the accepted values. */
  choices?: readonly string[]
}

type AnySchema = z.ZodType & { def: { type: string, innerType?: AnySchema, shape?: Record<string, AnySchema>, in?: AnySchema, element?: AnySchema, check?: string, format?: string, entries?: Record<string, string> } }

const words = (segment: string): string[] => segment.split(/(?=[A-Z])/).map(w => w.toLowerCase())

function unwrap (schema: AnySchema): AnySchema {
  let current = schema
  while (current.def.innerType !== undefined || current.def.in !== undefined) {
    current = (current.def.innerType ?? current.def.in) as AnySchema
  }
  return current
}

function kindOf (schema: AnySchema): LeafKind {
  const inner = unwrap(schema)
  switch (inner.def.type) {
    case 'string': return 'string'
    case 'boolean': return 'boolean'
    case 'enum': return 'enum'
    case 'array': return 'list'
    case 'number': return (inner as unknown as z.ZodNumber).isInt ? 'integer' : 'number'
    default: throw new Error(`config schema: unsupported leaf type ${inner.def.type}`)
  }
}

function collect (schema: AnySchema, path: string[], out: ConfigLeaf[]): void {
  const inner = unwrap(schema)
  if (inner.def.type === 'object' && inner.def.shape !== undefined) {
    for (const [name, child] of Object.entries(inner.def.shape)) collect(child, [...path, name], out)
    return
  }
  const meta = schema.meta() as SettingMeta | undefined
  if (meta?.allowed === undefined) throw new Error(`config schema: ${path.join('.')} is not built with a fields.ts helper`)
  const segments = path.flatMap(words)
  const kind = kindOf(schema)
  out.push({
    path,
    key: path.join('.'),
    env: `SORCHA_${segments.join('_').toUpperCase()}`,
    flag: `--${segments.join('-')}`,
    kind,
    description: meta.description,
    allowed: meta.allowed,
    fallback: schema.parse(undefined),
    ...(kind === 'enum' ? { choices: Object.values(inner.def.entries ?? {}) } : {})
  })
}

/** Every setting, in schema order. */
export const configLeaves: readonly ConfigLeaf[] = Object.freeze((() => {
  const out: ConfigLeaf[] = []
  collect(configSchema as unknown as AnySchema, [], out)
  return out
})())
