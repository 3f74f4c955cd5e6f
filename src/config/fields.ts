/**
 * Builders for configuration settings. Each one attaches `allowed`, the human phrase that a
 * configuration error quotes ("allowed: an integer from 1 to 10000"), so that every rejection names
 * the key, the value and what is allowed (docs/conventions.md §4).
 */
import { multiaddr } from '@multiformats/multiaddr'
import { z } from 'zod'
import { LISTEN_ALLOWED, PEER_ADDRESS_ALLOWED, hostPortProblem, listenAddressProblem, peerAddressProblem } from './addresses.ts'

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

function isMultiaddr (value: string): boolean {
  try {
    multiaddr(value)
    return true
  } catch {
    return false
  }
}

/** A list of multiaddrs (announce addresses, address prefixes). */
export function multiaddrList (fallback: string[], description: string): z.ZodDefault<z.ZodArray<z.ZodString>> {
  const item = z.string().refine(isMultiaddr, { message: 'not a valid multiaddr' })
  return z.array(item).default(fallback).meta({ description, allowed: 'multiaddrs, e.g. /ip4/0.0.0.0/tcp/4100' } satisfies SettingMeta)
}

/** A list of strings checked by `problem` (undefined = fine, else why not). */
function checkedList (problem: (value: string) => string | undefined, allowed: string, fallback: string[], description: string): z.ZodDefault<z.ZodArray<z.ZodString>> {
  const item = z.string().superRefine((value, ctx) => {
    const why = problem(value)
    if (why !== undefined) ctx.addIssue({ code: 'custom', message: why })
  })
  return z.array(item).default(fallback).meta({ description, allowed } satisfies SettingMeta)
}

/** Addresses to listen on: multiaddrs of a transport the node runs (TCP). */
export function listenAddressList (fallback: string[], description: string): z.ZodDefault<z.ZodArray<z.ZodString>> {
  return checkedList(listenAddressProblem, LISTEN_ALLOWED, fallback, description)
}

/** Addresses of peers to dial: TCP multiaddrs ending in a valid /p2p/<peer id>. */
export function peerAddressList (fallback: string[], description: string): z.ZodDefault<z.ZodArray<z.ZodString>> {
  return checkedList(peerAddressProblem, PEER_ADDRESS_ALLOWED, fallback, description)
}

/** A list of host:port entries (host name, IPv4 address or [IPv6 address]); the port is required. */
export function hostPortList (fallback: string[], description: string, allowed: string): z.ZodDefault<z.ZodArray<z.ZodString>> {
  return checkedList(hostPortProblem, allowed, fallback, description)
}

/** A list of strings, each matching `pattern`. */
export function stringList (fallback: string[], description: string, allowed: string, pattern?: RegExp): z.ZodDefault<z.ZodArray<z.ZodString>> {
  const item = pattern === undefined ? z.string().min(1) : z.string().regex(pattern)
  return z.array(item).default(fallback).meta({ description, allowed } satisfies SettingMeta)
}
