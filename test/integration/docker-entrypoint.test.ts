/**
 * The image without a container engine: the Dockerfile's COPY steps are replayed into a temporary
 * root (the runtime dependencies installed as its dependency stage does, `npm ci --omit=dev
 * --ignore-scripts`, from npm's cache only), and its entry point runs from there under Node.js 24
 * with the image's ENV: it starts a node from that layout, derives bootstrap addresses, decides where
 * the API listens, prepares a Kubernetes pod's identity, and fails with one line when it cannot.
 */
import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { cp, mkdir, mkdtemp, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import { createServer as createNetServer } from 'node:net'
import { hostname, tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { copies, envOf, readDockerfile, ROOT } from '../helpers/dockerfile.ts'
import { assertInGuide } from '../helpers/troubleshooting.ts'
import { untilRunning, type RunningProcess } from '../helpers/node-process.ts'
import { withoutCoverage } from '../helpers/coverage.ts'

const run = promisify(execFile)

interface Result { code: number | null, stdout: string, stderr: string }

/** Replays the Dockerfile's COPY steps into `root`; resolves with the image's ENV. */
async function buildLayout (root: string): Promise<Record<string, string>> {
  const instructions = await readDockerfile()
  const last = Math.max(...instructions.map(i => i.stage))
  const workdir = (stage: number): string => instructions.filter(i => i.stage === stage && i.op === 'WORKDIR').at(-1)?.args ?? '/'
  const stageDir = (stage: number): string => join(root, `.stage-${stage}`)
  for (const copy of copies(instructions)) {
    const base = copy.stage === last ? root : stageDir(copy.stage)
    const target = join(base, copy.target.startsWith('/') ? copy.target : join(workdir(copy.stage), copy.target))
    for (const source of copy.sources) {
      const dest = copy.target.endsWith('/') ? join(target, basename(source)) : target
      await mkdir(dirname(dest), { recursive: true })
      if (copy.from === undefined) {
        await cp(join(ROOT, source), dest, { recursive: true })
        continue
      }
      const fromStage = instructions.find(i => i.op === 'FROM' && i.args.endsWith(` AS ${copy.from}`))?.stage
      assert.ok(fromStage !== undefined && source === '/app/node_modules', `COPY --from=${copy.from} ${source}: this test replays only the dependency stage's node_modules`)
      // The dependency stage's RUN, from npm's cache only (tests reach no other host).
      const npm = process.env.npm_execpath
      await run(npm === undefined ? 'npm' : process.execPath, [...(npm === undefined ? [] : [npm]), 'ci', '--omit=dev', '--ignore-scripts', '--offline', '--no-audit', '--no-fund'], { cwd: join(stageDir(fromStage), 'app'), env: withoutCoverage() })
      await rename(join(stageDir(fromStage), source), dest)
    }
  }
  return envOf(instructions, last)
}

describe('the image layout and its entry point (no container engine)', { timeout: 300_000 }, () => {
  let tmp: string
  let root: string
  let baseEnv: Record<string, string>
  let nodeBin: string
  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'sorcha-image-'))
    root = join(tmp, 'root')
    const imageEnv = await buildLayout(root)
    nodeBin = await realpath(join(ROOT, 'node_modules/.bin/node'))
    // No coverage: the staged copy of the app is none of the measured sources.
    baseEnv = { ...imageEnv, SORCHA_DATA_DIR: join(tmp, 'data'), PATH: `${dirname(nodeBin)}:/usr/bin:/bin`, HOME: tmp, ENTRYPOINT_APP_DIR: join(root, 'app'), NODE_V8_COVERAGE: '' }
  })
  after(async () => { await rm(tmp, { recursive: true, force: true }) })

  const entrypoint = async (args: string[], env: Record<string, string>): Promise<Result> => await new Promise((resolve, reject) => {
    execFile('sh', [join(root, 'usr/local/bin/sorcha-entrypoint'), ...args], { env: { ...baseEnv, ...env } }, (err, stdout, stderr) => {
      if (err !== null && typeof err.code !== 'number') { reject(err); return }
      resolve({ code: err === null ? 0 : err.code as number, stdout, stderr })
    })
  })
  const configThrough = async (env: Record<string, string>): Promise<{ bootstrap: string[], gateway: { grpc: { host: string }, rest: { host: string } } }> => {
    const result = await entrypoint(['config'], env)
    assert.equal(result.code, 0, result.stderr)
    return JSON.parse(result.stdout) as { bootstrap: string[], gateway: { grpc: { host: string }, rest: { host: string } } }
  }
  const peerIdOf = async (dataDir: string): Promise<string> =>
    (await run(nodeBin, [join(root, 'app/docker/identity.ts'), dataDir], { env: baseEnv })).stdout.trim()

  it('lays out the app as the image does', async () => {
    for (const path of ['app/src/cli/bin.js', 'app/protos', 'app/protocols', 'app/package.json', 'app/docker/identity.ts', 'app/node_modules/libp2p', 'usr/local/bin/sorcha-entrypoint', 'usr/local/bin/sorcha-healthcheck']) {
      await stat(join(root, path))
    }
    await assert.rejects(stat(join(root, 'app/node_modules/typescript')), 'no dev dependencies')
  })

  describe('a bootstrap node started from the layout (runtime dependencies only)', () => {
    let child: ReturnType<typeof spawn>
    let node: RunningProcess
    const idFile = (): string => join(tmp, 'shared-boot/bootstrap.peer-id')
    const opsPort = freePort()
    before(async () => {
      await mkdir(dirname(idFile()))
      const ops = { SORCHA_OPS_PORT: String(await opsPort) }
      child = spawn('sh', [join(root, 'usr/local/bin/sorcha-entrypoint'), 'start', '--listen', '/ip4/127.0.0.1/tcp/0', '--gateway-grpc-port', '0', '--gateway-rest-port', '0'],
        { env: { ...baseEnv, SORCHA_DATA_DIR: join(tmp, 'boot'), BOOTSTRAP_PEER_ID_FILE: idFile(), ...ops }, stdio: ['ignore', 'pipe', 'pipe'] })
      node = await untilRunning(child)
    })
    after(() => { child.kill('SIGKILL') })

    it('writes its peer id for the others and keeps its identity 0600', async () => {
      assert.equal((await readFile(idFile(), 'utf8')).trim(), node.running.peerId)
      assert.equal((await stat(join(tmp, 'boot/identity.key'))).mode & 0o777, 0o600)
    })

    it('keeps Node\'s compile cache on the data volume (written once the node runs), the directory still 0700', async () => {
      assert.ok((await stat(join(tmp, 'boot/.node-compile-cache'))).isDirectory())
      assert.equal((await stat(join(tmp, 'boot'))).mode & 0o777, 0o700)
    })

    it('serves the API on loopback only (no token, no mutual TLS)', () => {
      assert.match(node.running.grpc ?? '', /^127\.0\.0\.1:\d+$/)
      assert.match(node.running.rest ?? '', /^http:\/\/127\.0\.0\.1:\d+$/)
    })

    it('is healthy by the image\'s health check (/readyz: a bootstrap node is ready on its own)', async () => {
      const health = await healthcheck(await opsPort)
      assert.equal(health.code, 0, health.stdout)
    })

    it('stops on SIGTERM with exit code 0', async () => {
      child.kill('SIGTERM')
      assert.equal(await node.exit, 0)
      assert.ok(node.lines.some(l => l.msg === 'stopped'))
    })
  })

  it('a peer derives SORCHA_BOOTSTRAP from the peer id file; an explicit SORCHA_BOOTSTRAP wins', async () => {
    const bootId = await peerIdOf(join(tmp, 'some-boot'))
    const idFile = join(tmp, 'peer-id-file')
    await writeFile(idFile, `${bootId}\n`)
    const peer = { BOOTSTRAP_HOST: 'boot', BOOTSTRAP_PEER_ID_FILE: idFile, SORCHA_DATA_DIR: join(tmp, 'peer') }
    assert.deepEqual((await configThrough(peer)).bootstrap, [`/dns4/boot/tcp/4100/p2p/${bootId}`])
    assert.deepEqual((await configThrough({ ...peer, BOOTSTRAP_PORT: '4999' })).bootstrap, [`/dns4/boot/tcp/4999/p2p/${bootId}`])
    const explicit = `/ip4/192.0.2.1/tcp/4100/p2p/${bootId}`
    assert.deepEqual((await configThrough({ ...peer, SORCHA_BOOTSTRAP: explicit })).bootstrap, [explicit])
    // Given explicitly, nothing is waited for (the file need not exist).
    assert.deepEqual((await configThrough({ ...peer, BOOTSTRAP_PEER_ID_FILE: join(tmp, 'absent'), BOOTSTRAP_WAIT_SECONDS: '0', SORCHA_BOOTSTRAP: explicit })).bootstrap, [explicit])
  })

  it('opens the API to every interface only with a token, a token file, mutual TLS or the insecure flag; an explicit host wins', async () => {
    const data = { SORCHA_DATA_DIR: join(tmp, 'api') }
    const hosts = async (env: Record<string, string>): Promise<string[]> => {
      const { gateway } = await configThrough({ ...data, ...env })
      return [gateway.grpc.host, gateway.rest.host]
    }
    assert.deepEqual(await hosts({}), ['127.0.0.1', '127.0.0.1'])
    assert.deepEqual(await hosts({ SORCHA_GATEWAY_TOKEN: 't0ken' }), ['0.0.0.0', '0.0.0.0'])
    const tls = { SORCHA_GATEWAY_TLS_CERT: '/etc/tls/tls.crt', SORCHA_GATEWAY_TLS_KEY: '/etc/tls/tls.key' }
    // TLS alone authenticates nobody: the node would refuse it on 0.0.0.0 (gateway.allowInsecure).
    assert.deepEqual(await hosts(tls), ['127.0.0.1', '127.0.0.1'])
    assert.deepEqual(await hosts({ ...tls, SORCHA_GATEWAY_TLS_CA: '/etc/tls/ca.crt', SORCHA_GATEWAY_TLS_REQUIRE_CLIENT_CERT: 'true' }), ['0.0.0.0', '0.0.0.0'])
    assert.deepEqual(await hosts({ SORCHA_GATEWAY_TOKEN_FILE: '/run/secrets/api-token' }), ['0.0.0.0', '0.0.0.0'])
    assert.deepEqual(await hosts({ SORCHA_GATEWAY_ALLOW_INSECURE: 'yes' }), ['0.0.0.0', '0.0.0.0'])
    assert.deepEqual(await hosts({ SORCHA_GATEWAY_TOKEN: 't0ken', SORCHA_GATEWAY_GRPC_HOST: '127.0.0.2' }), ['127.0.0.2', '0.0.0.0'])
  })

  it('Kubernetes: `prepare` seeds pod 0 from the Secret and publishes its id; another pod derives it', async () => {
    const secret = join(tmp, 'secret')
    const bootId = await peerIdOf(secret)
    const key = join(secret, 'identity.key')
    const pod0 = join(tmp, 'pod-0')
    const asPod0 = { BOOTSTRAP_HOST: `${hostname()}.sorcha-peer`, BOOTSTRAP_IDENTITY_FILE: key, BOOTSTRAP_PEER_ID_FILE: join(pod0, 'bootstrap.peer-id'), SORCHA_DATA_DIR: pod0 }
    const prepared = await entrypoint(['prepare'], asPod0)
    assert.equal(prepared.code, 0, prepared.stderr)
    assert.deepEqual(await readFile(join(pod0, 'identity.key')), await readFile(key))
    assert.equal((await readFile(asPod0.BOOTSTRAP_PEER_ID_FILE, 'utf8')).trim(), bootId)
    assert.deepEqual((await configThrough({ ...asPod0, BOOTSTRAP_IDENTITY_FILE: '' })).bootstrap, [], 'pod 0 is the bootstrap node')

    const pod1 = join(tmp, 'pod-1')
    await mkdir(pod1)
    const asPod1 = { BOOTSTRAP_HOST: 'sorcha-peer-0.sorcha-peer', BOOTSTRAP_PEER_ID_FILE: join(pod1, 'bootstrap.peer-id'), SORCHA_DATA_DIR: pod1 }
    assert.equal((await entrypoint(['prepare'], { ...asPod1, BOOTSTRAP_IDENTITY_FILE: key })).code, 0)
    assert.deepEqual((await configThrough(asPod1)).bootstrap, [`/dns4/sorcha-peer-0.sorcha-peer/tcp/4100/p2p/${bootId}`])
  })

  describe('fails with exit code 1 and one line naming the setting, its value and the fix', () => {
    const fails = async (env: Record<string, string>, expected: RegExp, args = ['config']): Promise<string> => {
      const result = await entrypoint(args, { SORCHA_DATA_DIR: join(tmp, 'failing'), ...env })
      assert.equal(result.code, 1, result.stderr)
      const lines = result.stderr.trim().split('\n')
      assert.equal(lines.length, 1, result.stderr)
      assert.match(lines[0]!, expected)
      return lines[0]!
    }

    it('no bootstrap peer id in time', async () => {
      const file = join(tmp, 'never-written')
      const line = await fails({ BOOTSTRAP_HOST: 'boot', BOOTSTRAP_PEER_ID_FILE: file, BOOTSTRAP_WAIT_SECONDS: '0' },
        new RegExp(`^sorcha-entrypoint: no bootstrap peer id after 0 s: BOOTSTRAP_PEER_ID_FILE=${file}: start the bootstrap node with the same file \\(or set SORCHA_BOOTSTRAP\\)$`))
      assertInGuide('entrypoint-no-bootstrap-id', line)
    })

    it('a wait that is not a number', async () => {
      await fails({ BOOTSTRAP_HOST: 'boot', BOOTSTRAP_PEER_ID_FILE: join(tmp, 'x'), BOOTSTRAP_WAIT_SECONDS: 'soon' },
        /^sorcha-entrypoint: not a number of seconds: BOOTSTRAP_WAIT_SECONDS=soon: use a whole number such as 120$/)
    })

    it('a bootstrap host with no way to learn its peer id', async () => {
      await fails({ BOOTSTRAP_HOST: 'boot' },
        /^sorcha-entrypoint: no way to learn the bootstrap node's peer id: BOOTSTRAP_HOST=boot: set BOOTSTRAP_PEER_ID_FILE or BOOTSTRAP_IDENTITY_FILE \(or SORCHA_BOOTSTRAP\)$/)
    })

    it('a peer id file that holds something else', async () => {
      const file = join(tmp, 'garbage-id')
      await writeFile(file, 'hello\n')
      await fails({ BOOTSTRAP_HOST: 'boot', BOOTSTRAP_PEER_ID_FILE: file },
        new RegExp(`^sorcha-entrypoint: not a peer id: 'hello' in BOOTSTRAP_PEER_ID_FILE=${file}: the bootstrap node writes its id there; delete the file and restart it$`))
    })

    it('a peer id file the bootstrap node cannot write', async () => {
      const file = join(tmp, 'no-such-dir/bootstrap.peer-id')
      await fails({ BOOTSTRAP_PEER_ID_FILE: file },
        new RegExp(`^sorcha-entrypoint: cannot write the peer id file: BOOTSTRAP_PEER_ID_FILE=${file}: make its directory writable by the node's user$`))
    })

    it('a missing or broken bootstrap identity', async () => {
      const missing = join(tmp, 'no-secret/identity.key')
      await fails({ BOOTSTRAP_HOST: 'boot', BOOTSTRAP_IDENTITY_FILE: missing },
        new RegExp(`^sorcha-entrypoint: cannot read the bootstrap identity: BOOTSTRAP_IDENTITY_FILE=${missing}: ENOENT; mount the Secret that holds it \\(docs/deployment.md\\)$`))
      const broken = join(tmp, 'broken.key')
      await writeFile(broken, 'not a key')
      await fails({ BOOTSTRAP_HOST: 'boot', BOOTSTRAP_IDENTITY_FILE: broken },
        new RegExp(`^sorcha-entrypoint: the bootstrap identity is not a libp2p private key: BOOTSTRAP_IDENTITY_FILE=${broken}: put the identity.key file that \`sorcha-peer id\` creates in the Secret$`))
    })

    it('a bootstrap node whose data directory holds another identity than the Secret', async () => {
      const other = join(tmp, 'other-identity')
      const otherId = await peerIdOf(other)
      const secret = join(tmp, 'secret-2')
      const secretId = await peerIdOf(secret)
      await fails({ BOOTSTRAP_IDENTITY_FILE: join(secret, 'identity.key'), SORCHA_DATA_DIR: other },
        new RegExp(`^sorcha-entrypoint: the bootstrap node's identity ${otherId} in ${other}/identity.key is not the one in the Secret \\(${secretId}\\): BOOTSTRAP_IDENTITY_FILE=${secret}/identity.key: move the old identity.key away or put it in the Secret$`), ['prepare'])
    })
  })

  describe('docker/healthcheck.sh', () => {
    const script = join(ROOT, 'docker/healthcheck.sh')
    const answering = async (status: number, body: string): Promise<{ port: number, close: () => void }> => {
      const server = createServer((req, res) => { res.writeHead(req.url === '/readyz' ? status : 404).end(body) })
      await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
      return { port: (server.address() as { port: number }).port, close: () => { server.close() } }
    }

    it('is healthy on 200 from /readyz, unhealthy with the checks on 503, and when nothing listens', async () => {
      const ready = await answering(200, '{"status":"ready","checks":{}}')
      try {
        assert.equal((await healthcheck(ready.port, script)).code, 0)
      } finally { ready.close() }
      const notReady = await answering(503, '{"status":"not ready","checks":{"peers":{"ok":false,"detail":"no connected peer"}}}')
      try {
        const result = await healthcheck(notReady.port, script)
        assert.equal(result.code, 1)
        assert.match(result.stdout, /"peers":\{"ok":false/)
      } finally { notReady.close() }
      const port = await freePort()
      const closed = await healthcheck(port, script)
      assert.equal(closed.code, 1)
      assert.equal(closed.stdout.trim(), `ops listener not reachable at 127.0.0.1:${port}`)
      assert.equal(closed.stderr, '', 'nothing but the one line')
    })
  })
})

/** Runs the health check script against an ops port on 127.0.0.1. */
async function healthcheck (port: number, script = join(ROOT, 'docker/healthcheck.sh')): Promise<Result> {
  return await new Promise(resolve => {
    execFile('bash', [script], { env: { PATH: '/usr/bin:/bin', SORCHA_OPS_PORT: String(port) } }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : (err.code as number), stdout, stderr })
    })
  })
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
async function freePort (): Promise<number> {
  const server = createNetServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise(resolve => server.close(resolve))
  return port
}
