/**
 * Generates TypeScript from every .proto under protos/ into protos/gen (committed; do not edit).
 * Uses protoc (Debian package protobuf-compiler) with the ts-proto plugin from node_modules.
 * `--check` regenerates into a temporary directory and exits 1 if protos/gen differs.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'

const root = new URL('../..', import.meta.url).pathname
const protoRoot = join(root, 'protos')
const genRoot = join(protoRoot, 'gen')
const check = process.argv.includes('--check')

const OPTIONS = [
  'importSuffix=.ts', // Node 24 runs the generated .ts directly
  'enumsAsLiterals=true', // const objects, not TS enums: erasable syntax only
  'forceLong=number', // uint64 millisecond timestamps and sizes fit in 2^53
  'outputServices=grpc-js',
  'esModuleInterop=true',
  'useDate=false'
]

function walk (dir: string, ext: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return path === genRoot ? [] : walk(path, ext)
    return entry.name.endsWith(ext) ? [path] : []
  })
}

function generate (out: string): void {
  mkdirSync(out, { recursive: true })
  const protos = walk(protoRoot, '.proto').map(p => relative(protoRoot, p)).sort()
  execFileSync('protoc', [
    `--plugin=protoc-gen-ts_proto=${join(root, 'node_modules/.bin/protoc-gen-ts_proto')}`,
    `--ts_proto_out=${out}`,
    `--ts_proto_opt=${OPTIONS.join(',')}`,
    `-I${protoRoot}`,
    ...protos
  ], { stdio: 'inherit' })
}

const snapshot = (dir: string): Map<string, string> =>
  new Map(walk(dir, '.ts').map(p => [relative(dir, p), readFileSync(p, 'utf8')]))

if (check) {
  const tmp = mkdtempSync(join(tmpdir(), 'sorcha-gen-'))
  try {
    generate(tmp)
    const fresh = snapshot(tmp)
    const committed = snapshot(genRoot)
    const stale = [...new Set([...fresh.keys(), ...committed.keys()])].filter(k => fresh.get(k) !== committed.get(k))
    if (stale.length > 0) {
      process.stderr.write(`protos/gen is stale (${stale.join(', ')}): run npm run generate\n`)
      process.exit(1)
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
} else {
  rmSync(genRoot, { recursive: true, force: true })
  generate(genRoot)
}
