/**
 * The REST JSON form of the API messages, derived from the .proto files so REST and gRPC cannot
 * drift: camelCase field names, every field present, bytes as base64, enums by name, 64-bit numbers
 * as JSON numbers (all fit in 2^53: milliseconds and byte counts). One JSON Schema per message
 * (registered with Fastify, so @fastify/swagger lists it under components/schemas) and a converter
 * from the generated TypeScript messages.
 */
import { join } from 'node:path'
import protobuf from 'protobufjs'
import { API_PROTO_FILES, PROTOS_DIR } from '../grpc/server.ts'

/** A JSON Schema object (as far as we use it). */
export type JsonSchema = Record<string, unknown>

let cachedRoot: protobuf.Root | undefined

/** The API protos, parsed once. */
export function apiRoot (): protobuf.Root {
  if (cachedRoot !== undefined) return cachedRoot
  const root = new protobuf.Root()
  root.resolvePath = (_origin, target) => join(PROTOS_DIR, target)
  root.loadSync(API_PROTO_FILES, { keepCase: false, alternateCommentMode: true })
  root.resolveAll()
  cachedRoot = root
  return root
}

const SCALARS: Record<string, JsonSchema> = {
  string: { type: 'string' },
  bool: { type: 'boolean' },
  bytes: { type: 'string', format: 'byte', description: 'base64' },
  double: { type: 'number' },
  float: { type: 'number' },
  int32: { type: 'integer' },
  sint32: { type: 'integer' },
  sfixed32: { type: 'integer' },
  uint32: { type: 'integer', minimum: 0 },
  fixed32: { type: 'integer', minimum: 0 },
  int64: { type: 'integer' },
  sint64: { type: 'integer' },
  sfixed64: { type: 'integer' },
  uint64: { type: 'integer', minimum: 0 },
  fixed64: { type: 'integer', minimum: 0 }
}

/** The schema id of a message type, e.g. sorcha.p2p.v1.PeerNode -> PeerNode. */
export function schemaId (type: protobuf.Type): string {
  return type.name
}

function fieldSchema (field: protobuf.Field, collect: Set<protobuf.Type>): JsonSchema {
  const resolved = field.resolvedType
  // A map of scalars (events.proto's data): a JSON object of those scalars.
  if (field instanceof protobuf.MapField && !(resolved instanceof protobuf.Type) && !(resolved instanceof protobuf.Enum)) {
    return { type: 'object', additionalProperties: { ...(SCALARS[field.type] ?? { type: 'string' }) }, ...(field.comment === null || field.comment === undefined ? {} : { description: field.comment }) }
  }
  let item: JsonSchema
  if (resolved instanceof protobuf.Type) {
    collect.add(resolved)
    item = { $ref: `${schemaId(resolved)}#` }
  } else if (resolved instanceof protobuf.Enum) {
    item = { type: 'string', enum: Object.keys(resolved.values) }
  } else {
    item = { ...(SCALARS[field.type] ?? { type: 'string' }) }
  }
  const schema: JsonSchema = field.repeated ? { type: 'array', items: item } : item
  if (field.comment !== null && field.comment !== undefined && !('$ref' in schema)) schema.description = field.comment
  // Message fields may be absent (null) in proto3, as oneof members are.
  return (resolved instanceof protobuf.Type && !field.repeated) || field.partOf !== null ? { anyOf: [schema, { type: 'null' }] } : schema
}

/** JSON Schemas of a message and every message it refers to, keyed by schema id. */
export function messageSchemas (typeNames: string[]): Map<string, JsonSchema> {
  const root = apiRoot()
  const out = new Map<string, JsonSchema>()
  const queue = new Set(typeNames.map(n => root.lookupType(n)))
  for (const type of queue) {
    const id = schemaId(type)
    if (out.has(id)) continue
    const properties: Record<string, JsonSchema> = {}
    for (const field of type.fieldsArray) properties[field.name] = fieldSchema(field, queue)
    out.set(id, {
      $id: id,
      type: 'object',
      ...(type.comment === null || type.comment === undefined ? {} : { description: type.comment }),
      properties,
      required: type.fieldsArray.map(f => f.name),
      additionalProperties: false
    })
  }
  return out
}

/** A generated message as REST JSON: every field, bytes in base64, enums by name, absent messages null. */
export function toRestJson (typeName: string, message: unknown): Record<string, unknown> {
  return convert(apiRoot().lookupType(typeName), message as Record<string, unknown>)
}

function convertValue (field: protobuf.Field, value: unknown): unknown {
  const resolved = field.resolvedType
  if (field instanceof protobuf.MapField) return { ...(value as Record<string, unknown> | undefined) }
  if (value === undefined || value === null) return null
  if (resolved instanceof protobuf.Type) return convert(resolved, value as Record<string, unknown>)
  if (resolved instanceof protobuf.Enum) return resolved.valuesById[value as number] ?? String(value)
  if (field.type === 'bytes') return Buffer.from(value as Uint8Array).toString('base64')
  return value
}

function convert (type: protobuf.Type, message: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const field of type.fieldsArray) {
    const value = message[field.name]
    if (field.repeated) out[field.name] = ((value as unknown[] | undefined) ?? []).map(v => convertValue(field, v))
    else out[field.name] = value === undefined && field.partOf === null && !(field.resolvedType instanceof protobuf.Type) ? defaultOf(field) : convertValue(field, value)
  }
  return out
}

function defaultOf (field: protobuf.Field): unknown {
  if (field.resolvedType instanceof protobuf.Enum) return Object.keys(field.resolvedType.values)[0]
  if (field.type === 'string' || field.type === 'bytes') return ''
  if (field.type === 'bool') return false
  return 0
}
