/**
 * The container files read without a container engine: the Dockerfile's stages, user, volume,
 * health check and entry point; the build context (.dockerignore); the compose mesh's exposure.
 * test/integration/docker-entrypoint.test.ts runs the image's layout and entry point for real.
 */
import assert from 'node:assert/strict'
import { access, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { parse } from 'yaml'
import { resolveConfig } from '../../../src/config/index.ts'
import { copies, dockerignore, envOf, execForm, parseDockerfile, readDockerfile, ROOT } from '../../helpers/dockerfile.ts'

describe('docker/Dockerfile', async () => {
  const instructions = await readDockerfile()
  const last = Math.max(...instructions.map(i => i.stage))
  const final = instructions.filter(i => i.stage === last)
  const one = (op: string): string => {
    const found = final.filter(i => i.op === op)
    assert.equal(found.length, 1, `one ${op} in the final stage`)
    return found[0]!.args
  }

  it('is multi-stage on a slim Node.js 24 base that a build argument can replace', () => {
    const arg = instructions.find(i => i.op === 'ARG' && i.args.startsWith('NODE_IMAGE='))
    assert.match(arg?.args ?? '', /^NODE_IMAGE=node:24(\.[\d.]+)?-(bookworm|trixie)-slim$/)
    const froms = instructions.filter(i => i.op === 'FROM')
    assert.ok(froms.length >= 2, 'a dependency stage and the runtime stage')
    for (const from of froms) assert.match(from.args, /^\$\{NODE_IMAGE\}( AS \w+)?$/)
    const deps = instructions.filter(i => i.stage < last && i.op === 'RUN').map(i => i.args).join('\n')
    assert.match(deps, /npm ci --omit=dev --ignore-scripts/)
    assert.ok(!final.some(i => i.op === 'RUN' && /npm (ci|install)/.test(i.args)), 'no install in the runtime stage')
  })

  it('runs as the non-root user node, with /data as the volume and the data directory', () => {
    assert.equal(one('USER'), 'node')
    assert.equal(one('VOLUME'), '/data')
    assert.equal(envOf(instructions, last).SORCHA_DATA_DIR, '/data')
  })

  it('does not open the API itself: no gateway host in ENV (the entry point decides)', () => {
    const env = envOf(instructions, last)
    assert.equal(env.SORCHA_GATEWAY_GRPC_HOST, undefined)
    assert.equal(env.SORCHA_GATEWAY_REST_HOST, undefined)
    assert.deepEqual(one('EXPOSE').split(/\s+/).sort(), ['4100', '4200', '4280', '4290'])
  })

  it('checks health through the ops listener with a bash script, never the CLI', async () => {
    const args = one('HEALTHCHECK')
    assert.deepEqual(execForm(args.slice(args.indexOf('CMD'))), ['sorcha-healthcheck'])
    const script = await readFile(join(ROOT, 'docker/healthcheck.sh'), 'utf8')
    assert.match(script, /^#!\/bin\/bash\n/)
    assert.match(script, /\/dev\/tcp\/.*GET \/readyz/s)
    assert.doesNotMatch(script, /\bnode\b|bin\.js|sorcha-peer/)
  })

  it('execs the node from the entry point (PID 1, no init), start by default', async () => {
    assert.deepEqual(execForm(one('ENTRYPOINT')), ['sorcha-entrypoint'])
    assert.deepEqual(execForm(one('CMD')), ['start'])
    const script = await readFile(join(ROOT, 'docker/entrypoint.sh'), 'utf8')
    assert.match(script, /\nexec node "\$app\/src\/cli\/bin\.js" "\$@"\n$/)
  })

  it('COPYs only files that exist, are in the build context, and scripts keep their x bit', async () => {
    const inContext = dockerignore(await readFile(join(ROOT, '.dockerignore'), 'utf8'))
    const local = copies(instructions).filter(c => c.from === undefined)
    assert.ok(local.length >= 5)
    for (const copy of local) {
      for (const source of copy.sources) {
        await access(join(ROOT, source))
        assert.ok(inContext(source), `${source} is in the build context`)
        if (copy.target.startsWith('/usr/local/bin/')) assert.ok(((await stat(join(ROOT, source))).mode & 0o111) !== 0, `${source} is executable`)
      }
    }
  })

  it('keeps secrets, data and development files out of the build context', async () => {
    const inContext = dockerignore(await readFile(join(ROOT, '.dockerignore'), 'utf8'))
    for (const path of ['sorcha-data/identity.key', 'src/x/sorcha-data/identity.key', 'node_modules/level/index.js', '.git/config', 'test/unit/x.test.ts', '.env', 'certs/node.key', 'docs/deployment.md', 'src/debug.log']) {
      assert.equal(inContext(path), false, path)
    }
    for (const path of ['src/cli/bin.js', 'protos/sorcha/api/v1/status.proto', 'package-lock.json', 'docker/entrypoint.sh']) {
      assert.equal(inContext(path), true, path)
    }
  })

  it('the parser it relies on joins continuations and numbers stages', () => {
    const parsed = parseDockerfile('ARG X=1\nFROM a AS b\n# c\nRUN x \\\n  y\nFROM b\nCOPY --from=b /a ./a\n')
    assert.deepEqual(parsed.map(i => [i.stage, i.op, i.args]), [[0, 'ARG', 'X=1'], [0, 'FROM', 'a AS b'], [0, 'RUN', 'x y'], [1, 'FROM', 'b'], [1, 'COPY', '--from=b /a ./a']])
  })
})

describe('docker/compose.yaml', async () => {
  const compose = parse(await readFile(join(ROOT, 'docker/compose.yaml'), 'utf8'), { merge: true }) as {
    services: Record<string, { environment?: Record<string, string>, ports?: string[], volumes?: string[], depends_on?: Record<string, { condition: string }> }>
  }
  const services = Object.entries(compose.services)

  it('runs one bootstrap node and five peers that wait for it to be healthy', () => {
    assert.equal(services.length, 6)
    const boots = services.filter(([, s]) => s.environment?.BOOTSTRAP_HOST === undefined)
    assert.deepEqual(boots.map(([name]) => name), ['boot'])
    for (const [name, s] of services.filter(([, s]) => s.environment?.BOOTSTRAP_HOST !== undefined)) {
      assert.equal(s.environment?.BOOTSTRAP_HOST, 'boot', name)
      assert.equal(s.depends_on?.boot?.condition, 'service_healthy', name)
      assert.equal(s.environment?.BOOTSTRAP_PEER_ID_FILE, compose.services.boot!.environment?.BOOTSTRAP_PEER_ID_FILE, name)
    }
  })

  it('gives every node its own data volume; only the bootstrap node writes the shared one', () => {
    const data = services.map(([, s]) => s.volumes?.find(v => v.split(':')[1] === '/data'))
    assert.equal(new Set(data).size, 6)
    for (const [name, s] of services) {
      const shared = s.volumes?.find(v => v.split(':')[1] === '/shared')
      assert.equal(shared?.endsWith(':ro'), name !== 'boot', name)
    }
  })

  it('publishes only the API, on the host loopback, and requires a token', () => {
    for (const [name, s] of services) {
      assert.ok((s.ports ?? []).length > 0, name)
      for (const port of s.ports ?? []) {
        assert.match(port, /^127\.0\.0\.1:\d+:(4200|4280)$/, `${name} publishes ${port}`)
      }
      assert.match(s.environment?.SORCHA_GATEWAY_TOKEN ?? '', /^\$\{SORCHA_API_TOKEN:\?.+\}$/, name)
    }
  })

  it('sets only SORCHA_ variables that the node accepts', () => {
    for (const [name, s] of services) {
      // The values as compose passes them, with the token's ${...:?...} filled in.
      const env = Object.fromEntries(Object.entries(s.environment ?? {}).filter(([k]) => k.startsWith('SORCHA_')).map(([k, v]) => [k, v.replace(/^\$\{SORCHA_API_TOKEN:\?.*\}$/, 'a-token')]))
      assert.doesNotThrow(() => resolveConfig({ env }), name)
    }
  })
})
