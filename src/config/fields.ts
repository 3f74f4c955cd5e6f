/**
 * Builders for configuration settings. Each one attaches `allowed`, the human phrase that a
 * configuration error quotes ("allowed: an integer from 1 to 10000"), so that every rejection names
 * the key, the value and what is allowed (docs/conventions.md §4).
 */
import { multiaddr } from '@multiformats/multiaddr'
import { z } from 'zod'

/** Metadata carried by every leaf setting. */
export interface SettingMeta {
  /** One sentence for docs and --help. */
  description: string
  /** What values are accepted, phrased to follow "allowed:". */
  allowed: string
}

/** An integer setting within [min, max]. */
export function integer (min: number, max: number, fallback: number, description: string): z.ZodDefault<z.ZodNumber> {
  return z.number().int().min(min).max(max).default(fallback)
    .meta({ description, allowed: `an integer from ${min} to ${max}` } satisfies SettingMeta)
}

/** A number setting within [min, max] (fractions allowed). */
export function decimal (min: number, max: number, fallback: number, description: string): z.ZodDefault<z.ZodNumber> {
  return z.number().min(min).max(max).default(fallback)
    .meta({ description, allowed: `a number from ${min} to ${max}` } satisfies SettingMeta)
}

/** One of a fixed set of strings. */
export function oneOf<const T extends readonly [string, ...string[]]> (values: T, fallback: T[number], description: string): z.ZodDefault<z.ZodEnum<{ [K in T[number]]: K }>> {
  return z.enum(values).default(fallback as never)
    .meta({ description, allowed: `one of ${values.join(', ')}` } satisfies SettingMeta)
}

/** A true/false switch. */
export function flag (fallback: boolean, description: string): z.ZodDefault<z.ZodBoolean> {
  return z.boolean().default(fallback).meta({ description, allowed: 'true or false' } satisfies SettingMeta)
}

/** A non-empty string (a path, a name). */
export function text (fallback: string, description: string, allowed = 'a non-empty string'): z.ZodDefault<z.ZodString> {
  return z.string().min(1).default(fallback).meta({ description, allowed } satisfies SettingMeta)
}

/** A string that may be empty, meaning "not set". */
export function optionalText (description: string, allowed: string): z.ZodDefault<z.ZodString> {
  return z.string().default('').meta({ description, allowed } satisfies SettingMeta)
}

function isMultiaddr (value: string, needsPeerId: boolean): boolean {
  try {
    const ma = multiaddr(value)
    return !needsPeerId || ma.getComponents().some(c => c.name === 'p2p')
  } catch {
    return false
  }
}

/** A list of multiaddrs; with `needsPeerId`, each must end in /p2p/<peer id>. */
export function multiaddrList (fallback: string[], description: string, needsPeerId = false): z.ZodDefault<z.ZodArray<z.ZodString>> {
  const allowed = needsPeerId
    ? 'multiaddrs with a peer id, e.g. /ip4/192.0.2.7/tcp/4100/p2p/12D3KooW...'
    : 'multiaddrs, e.g. /ip4/0.0.0.0/tcp/4100'
  const item = z.string().refine(v => isMultiaddr(v, needsPeerId), { message: 'not a valid multiaddr' })
  return z.array(item).default(fallback).meta({ description, allowed } satisfies SettingMeta)
}

/** A list of strings, each matching `pattern`. */
export function stringList (fallback: string[], description: string, allowed: string, pattern?: RegExp): z.ZodDefault<z.ZodArray<z.ZodString>> {
  const item = pattern === undefined ? z.string().min(1) : z.string().regex(pattern)
  return z.array(item).default(fallback).meta({ description, allowed } satisfies SettingMeta)
}
