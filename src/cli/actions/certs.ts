/**
 * `sorcha-peer certs ca|node|client`: a development CA and the node/client certificates for the
 * gateway's TLS and mutual TLS. Files are PEM; keys are written with mode 0600.
 */
import { access, mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createCa, issueCertificate, type CertificatePair } from '../../certs/dev-ca.ts'
import { EXIT_USAGE } from '../exit-codes.ts'

async function writePair (dir: string, name: string, pair: CertificatePair): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 })
  await writeFile(join(dir, `${name}.crt`), pair.cert, { mode: 0o644 })
  await writeFile(join(dir, `${name}.key`), pair.key, { mode: 0o600 })
  process.stdout.write(`wrote ${join(dir, `${name}.crt`)} and ${join(dir, `${name}.key`)}\n`)
}

async function readCa (dir: string): Promise<CertificatePair> {
  return { cert: await readFile(join(dir, 'ca.crt'), 'utf8'), key: await readFile(join(dir, 'ca.key'), 'utf8') }
}

const exists = async (path: string): Promise<boolean> => await access(path).then(() => true, () => false)

/**
 * `certs ca`: a self-signed development CA in `dir`. An existing CA (ca.crt or ca.key) is replaced
 * only with `force`: a new CA stops every certificate the old one signed from verifying.
 */
export async function createCaFiles (o: { dir: string, name: string, days: number, force?: boolean }): Promise<void> {
  if (o.force !== true) {
    for (const file of ['ca.crt', 'ca.key'].map(name => join(o.dir, name))) {
      if (!(await exists(file))) continue
      process.stderr.write(`sorcha-peer: a CA already exists at ${file}: a new one would stop the certificates it signed from verifying; keep it, or pass --force to replace it\n`)
      process.exitCode = EXIT_USAGE
      return
    }
  }
  await writePair(o.dir, 'ca', createCa({ commonName: o.name, days: o.days }))
}

/** `certs node`: a server certificate for the hosts given (default: localhost and loopback). */
export async function issueNodeFiles (o: { dir: string, name: string, host: string[], days: number }): Promise<void> {
  const hosts = o.host.length === 0 ? ['localhost', '127.0.0.1', '::1'] : o.host
  await writePair(o.dir, o.name, issueCertificate(await readCa(o.dir), 'node', { commonName: o.name, hosts, days: o.days }))
}

/** `certs client`: a client certificate for mutual TLS. */
export async function issueClientFiles (o: { dir: string, name: string, days: number }): Promise<void> {
  await writePair(o.dir, o.name, issueCertificate(await readCa(o.dir), 'client', { commonName: o.name, days: o.days }))
}
