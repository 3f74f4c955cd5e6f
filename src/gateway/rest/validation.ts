/**
 * Request validation of the REST server: which Ajv options apply to which part of a request, the
 * one-line messages of a rejected request (naming the field and what is allowed), and the strict
 * base64 decoding of byte fields.
 *
 * Query strings and path parameters arrive as text, so Ajv coerces them ("5" -> 5, one value -> an
 * array). A JSON body is typed already: coercing it would turn a JSON number given as a base64
 * payload into a string of digits and accept it, so bodies are validated without coercion.
 */
import AjvCompiler from '@fastify/ajv-compiler'
import type { FastifyError, FastifyServerOptions } from 'fastify'
import { InvalidArgumentError } from '../errors.ts'

/**
 * Ajv options shared by every part: Fastify's defaults, but additional properties are errors, issues
 * carry their schema (verbose) for the messages, and `x-reason` (a field's rejection reason) is an
 * annotation.
 */
const AJV_OPTIONS = { removeAdditional: false, useDefaults: true, allErrors: false, verbose: true, keywords: ['x-reason'] }

type BuildValidator = NonNullable<NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>['buildValidator']>
type RouteDefinition = { schema: unknown, method: string, url: string, httpPart?: string }
type Compile = (definition: RouteDefinition) => unknown
/** @fastify/ajv-compiler's pool, typed as we use it (its own types split Ajv and JTD options). */
const newPool = AjvCompiler as unknown as () => (externalSchemas: unknown, options: { customOptions: Record<string, unknown> }) => Compile

/** Fastify's validator factory: coercion for querystring, params and headers; none for bodies. */
export function buildValidator (): BuildValidator {
  const pool = newPool()
  const factory = (externalSchemas: unknown, options?: { customOptions?: Record<string, unknown> }): Compile => {
    const custom = { ...options?.customOptions, ...AJV_OPTIONS }
    const loose = pool(externalSchemas, { ...options, customOptions: { ...custom, coerceTypes: 'array' } })
    const strict = pool(externalSchemas, { ...options, customOptions: { ...custom, coerceTypes: false } })
    return definition => definition.httpPart === 'body' ? strict(definition) : loose(definition)
  }
  return factory as unknown as BuildValidator
}

interface AjvIssue {
  keyword: string
  instancePath: string
  message?: string
  params: Record<string, unknown>
  parentSchema?: { contentEncoding?: string, description?: string, 'x-reason'?: string }
  data?: unknown
}

/** '/transactions/0/transaction/payload' -> 'transactions[0].transaction.payload', after `prefix`. */
function fieldName (path: string, context: string | undefined, prefix = ''): string {
  const parts = path.split('/').slice(1).map(p => p.replace(/~1/g, '/').replace(/~0/g, '~'))
  const name = parts.reduce((out, p) => /^\d+$/.test(p) ? `${out}[${p}]` : out === '' ? p : `${out}.${p}`, prefix)
  if (name !== '') return name
  return context === 'querystring' ? 'the query string' : context === 'params' ? 'the path' : 'the body'
}

const jsonType = (value: unknown): string => value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `a ${typeof value}`

/** The reason and one-line message (naming the field and what it must be) of a request Ajv rejected. */
export function validationFailure (err: FastifyError): InvalidArgumentError {
  return issueFailure((err.validation as unknown as AjvIssue[] | undefined)?.[0], err.validationContext) ?? new InvalidArgumentError('invalid_request', err.message)
}

/** The failure of the first Ajv issue; field names start with `prefix` (an item's path in a batch). */
function issueFailure (issue: AjvIssue | undefined, context: string | undefined, prefix = ''): InvalidArgumentError | undefined {
  if (issue === undefined) return undefined
  const field = fieldName(issue.instancePath, context, prefix)
  // A field with an x-reason has that reason whatever is wrong with it, as on gRPC (validate.ts).
  const reason = issue.parentSchema?.['x-reason'] ?? 'invalid_request'
  if (issue.parentSchema?.contentEncoding === 'base64' && issue.keyword === 'type') {
    return new InvalidArgumentError(reason, `${field} must be a base64 string, not ${jsonType(issue.data)}`)
  }
  return new InvalidArgumentError(reason, `${field} ${describe(issue)}`)
}

/** A validator of one JSON value, without coercion; `check` throws the failure of the first issue. */
export interface ValueValidator {
  /** @throws InvalidArgumentError naming the field, prefixed with `prefix` */
  check: (value: unknown, prefix: string) => void
}

/** Compiles `schema` (which may $ref `shared` schemas by $id) as bodies are checked: no coercion. */
export function valueValidator (schema: Record<string, unknown>, shared: Array<Record<string, unknown>>): ValueValidator {
  const externals = Object.fromEntries(shared.map(s => [String(s.$id), s]))
  const compile = newPool()(externals, { customOptions: { ...AJV_OPTIONS, coerceTypes: false } })
  const validate = compile({ schema, method: 'POST', url: '', httpPart: 'body' }) as unknown as { (value: unknown): boolean, errors?: AjvIssue[] | null }
  return {
    check: (value, prefix) => {
      if (validate(value)) return
      throw issueFailure(validate.errors?.[0], 'body', prefix) ?? new InvalidArgumentError('invalid_request', `${prefix} is not valid`)
    }
  }
}

function describe (issue: AjvIssue): string {
  switch (issue.keyword) {
    case 'type': return `must be ${String(issue.params.type)}, not ${jsonType(issue.data)}`
    case 'enum': return `must be one of ${(issue.params.allowedValues as unknown[]).map(String).join(', ')}`
    case 'pattern': return `must be ${issue.parentSchema?.description ?? `text matching ${String(issue.params.pattern)}`}`
    case 'required': return `needs ${String(issue.params.missingProperty)}`
    case 'additionalProperties': return `has a field this request does not take: ${String(issue.params.additionalProperty)}`
    default: return issue.message ?? 'is not valid'
  }
}

const STANDARD = /^[A-Za-z0-9+/]*={0,2}$/
const URL_SAFE = /^[A-Za-z0-9_-]*={0,2}$/

/**
 * Decodes a base64 field strictly (RFC 4648 §4 or §5, padded or not): one alphabet, no dangling
 * character, padding only to a multiple of 4. Node's decoder would skip what it does not understand.
 * @throws InvalidArgumentError invalid_base64, naming the field
 */
export function decodeBase64 (text: string, field: string): Buffer {
  const unpadded = text.replace(/=+$/, '')
  const padding = text.length - unpadded.length
  const ok = (STANDARD.test(text) || URL_SAFE.test(text)) && unpadded.length % 4 !== 1 && (padding === 0 || text.length % 4 === 0)
  if (!ok) throw new InvalidArgumentError('invalid_base64', `${field} is not base64 (the standard or the URL-safe alphabet, padded to a multiple of 4 or not at all)`)
  return Buffer.from(text, 'base64')
}
