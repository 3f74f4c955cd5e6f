/**
 * `sorcha-peer certs ca|node|client`: a development CA and the node/client certificates for the
 * gateway's TLS and mutual TLS. Files are PEM; keys are written with mode 0600.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Command } from 'commander'
import { createCa, issueCertificate, type CertificatePair } from '../../certs/dev-ca.ts'
import { positiveInt } from '../client-options.ts'

async function writePair (dir: string, name: string, pair: CertificatePair): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 })
  await writeFile(join(dir, `${name}.crt`), pair.cert, { mode: 0o644 })
  await writeFile(join(dir, `${name}.key`), pair.key, { mode: 0o600 })
  process.stdout.write(`wrote ${join(dir, `${name}.crt`)} and ${join(dir, `${name}.key`)}\n`)
}

async function readCa (dir: string): Promise<CertificatePair> {
  return { cert: await readFile(join(dir, 'ca.crt'), 'utf8'), key: await readFile(join(dir, 'ca.key'), 'utf8') }
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value]

/** Registers the `certs` command and its subcommands. */
export function registerCertsCommand (program: Command): void {
  const certs = program.command('certs').description('create a development CA and node/client certificates for the API (TLS, mutual TLS)')
  certs.command('ca')
    .description('create a self-signed development CA (ca.crt, ca.key)')
    .option('--dir <dir>', 'output directory', './sorcha-certs')
    .option('--name <cn>', 'CA common name', 'Sorcha Peer development CA')
    .option('--days <n>', 'validity in days', positiveInt, 3650)
    .action(async (o: { dir: string, name: string, days: number }) => {
      await writePair(o.dir, 'ca', createCa({ commonName: o.name, days: o.days }))
    })
  certs.command('node')
    .description('issue a server certificate for a node\'s API, signed by the CA in --dir')
    .option('--dir <dir>', 'directory holding ca.crt and ca.key; output goes here too', './sorcha-certs')
    .option('--name <name>', 'file name and common name', 'node')
    .option('--host <host>', 'host name or IP the node is reached at (repeatable)', collect, [] as string[])
    .option('--days <n>', 'validity in days', positiveInt, 365)
    .action(async (o: { dir: string, name: string, host: string[], days: number }) => {
      const hosts = o.host.length === 0 ? ['localhost', '127.0.0.1', '::1'] : o.host
      await writePair(o.dir, o.name, issueCertificate(await readCa(o.dir), 'node', { commonName: o.name, hosts, days: o.days }))
    })
  certs.command('client')
    .description('issue a client certificate (mutual TLS), signed by the CA in --dir')
    .option('--dir <dir>', 'directory holding ca.crt and ca.key; output goes here too', './sorcha-certs')
    .option('--name <name>', 'file name and common name', 'client')
    .option('--days <n>', 'validity in days', positiveInt, 365)
    .action(async (o: { dir: string, name: string, days: number }) => {
      await writePair(o.dir, o.name, issueCertificate(await readCa(o.dir), 'client', { commonName: o.name, days: o.days }))
    })
}
