/**
 * Generates TypeScript from every .proto under protos/ into protos/gen (committed; do not edit).
 * The compiler is buf from the npm package @bufbuild/buf (its binary ships inside a platform package
 * such as @bufbuild/buf-linux-x64, so nothing is downloaded and no install script has to run), with the
 * ts-proto plugin from node_modules: no system protoc. See docs/adr/0002-protobuf-with-ts-proto.md.
 *
 *   node src/tools/generate-protos.ts            regenerate protos/gen
 *   node src/tools/generate-protos.ts --check    exit 1 if protos/gen differs from what the protos generate
 *   --root DIR                                   work on DIR/protos instead of this checkout's (tests)
 */
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join, relative, resolve } from 'node:path'
import { parseArgs } from 'node:util'

/** ts-proto options, chosen for native TypeScript (ADR 0002). */
const TS_PROTO_OPTIONS = [
  'importSuffix=.ts', // Node 24 runs the generated .ts directly
  'enumsAsLiterals=true', // const objects, not TS enums: erasable syntax only
  'forceLong=number', // uint64 millisecond timestamps and sizes fit in 2^53
  'outputServices=grpc-js',
  'esModuleInterop=true',
  'useDate=false'
]

const require = createRequire(import.meta.url)

/** A failure the tool reports as one line (`generate-protos: <what failed>`) with exit code 1. */
class GenerateError extends Error {
  override name = 'GenerateError'
}

function fail (line: string): never {
  throw new GenerateError(line)
}

function resolveTool (specifier: string, pkg: string): string {
  try {
    return require.resolve(specifier)
  } catch {
    return fail(`${pkg} is not installed in node_modules: run npm ci`)
  }
}

function walk (dir: string, ext: string, skip?: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return path === skip ? [] : walk(path, ext, skip)
    return entry.name.endsWith(ext) ? [path] : []
  })
}

/** Runs buf generate on protoRoot into out; buf's cache goes to cache (never the user's home). */
function generate (protoRoot: string, out: string, cache: string): void {
  const buf = resolveTool('@bufbuild/buf/bin/buf', '@bufbuild/buf')
  const plugin = resolveTool('ts-proto/protoc-gen-ts_proto', 'ts-proto')
  if (walk(protoRoot, '.proto', join(protoRoot, 'gen')).length === 0) fail(`no .proto files under ${protoRoot}`)
  const template = {
    version: 'v2',
    plugins: [{ local: [process.execPath, plugin], out, opt: TS_PROTO_OPTIONS }]
  }
  const result = spawnSync(process.execPath, [buf, 'generate', protoRoot, '--exclude-path', join(protoRoot, 'gen'), '--template', JSON.stringify(template)], {
    stdio: 'inherit',
    env: { ...process.env, BUF_CACHE_DIR: cache }
  })
  if (result.error !== undefined || result.status !== 0) {
    fail(`buf generate failed (${result.error?.message ?? `exit ${result.status ?? result.signal}`}); see its messages above`)
  }
}

const snapshot = (dir: string): Map<string, string> =>
  new Map(walk(dir, '.ts').map(p => [relative(dir, p), readFileSync(p, 'utf8')]))

function main (): void {
  const { values } = parseArgs({ options: { check: { type: 'boolean' }, root: { type: 'string' } } })
  const root = values.root === undefined ? new URL('../..', import.meta.url).pathname : resolve(values.root)
  const protoRoot = join(root, 'protos')
  const genRoot = join(protoRoot, 'gen')
  const tmp = mkdtempSync(join(tmpdir(), 'sorcha-gen-'))
  try {
    const out = join(tmp, 'out')
    generate(protoRoot, out, join(tmp, 'cache'))
    if (values.check === true) {
      const fresh = snapshot(out)
      const committed = snapshot(genRoot)
      const stale = [...new Set([...fresh.keys(), ...committed.keys()])].filter(k => fresh.get(k) !== committed.get(k)).sort()
      if (stale.length > 0) {
        process.stderr.write(`protos/gen is stale (${stale.join(', ')}): run npm run generate\n`)
        process.exitCode = 1
      }
    } else {
      rmSync(genRoot, { recursive: true, force: true })
      cpSync(out, genRoot, { recursive: true })
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
}

try {
  main()
} catch (err) {
  if (!(err instanceof GenerateError)) throw err
  process.stderr.write(`generate-protos: ${err.message}\n`)
  process.exitCode = 1
}
