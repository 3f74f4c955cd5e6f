/**
 * Offline validation of Kubernetes manifests against the API schemas of the kubernetes-models
 * package (generated from Kubernetes' OpenAPI; ajv validators, no network, no cluster).
 *
 * The schemas check types, required fields and enums, but, like Kubernetes' OpenAPI itself, they do
 * not forbid unknown fields: the API server does that (kubectl's default --validate=strict). So each
 * field of a manifest is also probed: its value is replaced with one of an impossible type, and a
 * field the schema knows then fails validation at its own path; one it does not know passes, and is
 * reported as unknown.
 */
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseAllDocuments } from 'yaml'

/** A parsed manifest and where it came from. */
export interface Manifest {
  file: string
  doc: Record<string, unknown> & { apiVersion: string, kind: string, metadata: { name: string } }
}

interface AjvError { instancePath: string, message?: string }
type Validate = (doc: unknown) => AjvError[]

/** Reads every .yaml file directly in `dir` (and in `dir`/examples), one Manifest per YAML document. */
export async function readManifests (dir: string): Promise<Manifest[]> {
  const out: Manifest[] = []
  for (const sub of ['', 'examples']) {
    const files = (await readdir(join(dir, sub))).filter(f => f.endsWith('.yaml')).sort()
    for (const file of files) {
      for (const document of parseAllDocuments(await readFile(join(dir, sub, file), 'utf8'))) {
        if (document.errors.length > 0) throw new Error(`${join(sub, file)}: ${document.errors[0]!.message}`)
        const doc = document.toJS() as Manifest['doc'] | null
        if (doc !== null) out.push({ file: join(sub, file), doc })
      }
    }
  }
  return out
}

/** The validator of a kind: kubernetes-models' model class for apiVersion/kind. */
async function validatorFor (apiVersion: string, kind: string): Promise<Validate> {
  let module: Record<string, unknown>
  try {
    module = await import(`kubernetes-models/${apiVersion}`) as Record<string, unknown>
  } catch {
    return () => [{ instancePath: '/apiVersion', message: `unknown apiVersion ${apiVersion}` }]
  }
  const Model = module[kind] as (new (data: unknown) => { validate: () => void }) | undefined
  if (typeof Model !== 'function') return () => [{ instancePath: '/kind', message: `unknown kind ${kind} in ${apiVersion}` }]
  return (doc: unknown) => {
    try {
      new Model(doc).validate()
      return []
    } catch (err) {
      const errors = (err as { errors?: AjvError[] }).errors
      if (errors === undefined) throw err
      return errors
    }
  }
}

const pointer = (path: Array<string | number>): string => path.map(p => `/${String(p).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('')

/** Every object-property path of a value, depth first. */
function propertyPaths (value: unknown, path: Array<string | number> = []): Array<Array<string | number>> {
  if (Array.isArray(value)) return value.flatMap((v, i) => propertyPaths(v, [...path, i]))
  if (value === null || typeof value !== 'object') return []
  return Object.entries(value).flatMap(([k, v]) => [[...path, k], ...propertyPaths(v, [...path, k])])
}

function withValueAt (doc: unknown, path: Array<string | number>, value: unknown): unknown {
  const copy = structuredClone(doc) as Record<string | number, unknown>
  let node = copy
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>
  node[path.at(-1)!] = value
  return copy
}

function valueAt (doc: unknown, path: Array<string | number>): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], doc)
}

/**
 * Validates one manifest document; resolves with its problems as `<json pointer> <message>` lines
 * (empty when it is valid): schema errors first, then unknown fields.
 */
export async function validateManifest (doc: unknown): Promise<string[]> {
  const { apiVersion, kind } = (doc ?? {}) as { apiVersion?: unknown, kind?: unknown }
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return ['/ must have apiVersion and kind (strings)']
  const validate = await validatorFor(apiVersion, kind)
  const errors = validate(doc)
  if (errors.length > 0) return errors.map(e => `${e.instancePath === '' ? '/' : e.instancePath} ${e.message ?? 'is invalid'}`)
  const unknown: string[] = []
  for (const path of propertyPaths(doc)) {
    if (path.length === 1 && (path[0] === 'apiVersion' || path[0] === 'kind')) continue
    const original = valueAt(doc, path)
    const probe = original !== null && typeof original === 'object' ? 1.5 : { probe: true }
    const at = pointer(path)
    if (!validate(withValueAt(doc, path, probe)).some(e => e.instancePath === at || e.instancePath.startsWith(`${at}/`))) unknown.push(`${at} is not a field of ${kind} (${apiVersion})`)
  }
  return unknown
}
