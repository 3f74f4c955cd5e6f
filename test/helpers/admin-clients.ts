/**
 * The Admin gRPC service's client built from admin.proto at run time with @grpc/proto-loader (not
 * from the generated code, as an app in another language would), and REST helpers for /v1/admin.
 */
import * as grpc from '@grpc/grpc-js'
import { loadSync } from '@grpc/proto-loader'
import type { DynamicClient } from './api-clients.ts'

/** A runtime-built sorcha.api.v1.Admin client for `address`. */
export function runtimeAdminClient (address: string): DynamicClient {
  const definition = loadSync(['sorcha/api/v1/admin.proto'], { includeDirs: [new URL('../../protos', import.meta.url).pathname], keepCase: false, longs: Number, enums: String, defaults: true, oneofs: true })
  const api = (grpc.loadPackageDefinition(definition) as unknown as { sorcha: { api: { v1: Record<string, grpc.ServiceClientConstructor> } } }).sorcha.api.v1
  return new (api.Admin as grpc.ServiceClientConstructor)(address, grpc.credentials.createInsecure()) as unknown as DynamicClient
}

/** A REST call: status and parsed JSON body. */
export async function rest<T = Record<string, unknown>> (base: string, method: 'GET' | 'POST', path: string, body?: unknown, token?: string): Promise<{ status: number, body: T }> {
  const headers: Record<string, string> = {}
  if (body !== undefined) headers['content-type'] = 'application/json'
  if (token !== undefined) headers.authorization = `Bearer ${token}`
  const res = await fetch(`${base}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })
  return { status: res.status, body: await res.json() as T }
}
