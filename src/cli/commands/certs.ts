/**
 * Registration of `sorcha-peer certs ca|node|client`: a development CA and the node/client
 * certificates for the gateway's TLS and mutual TLS (implementation in ../actions/certs.ts).
 */
import type { Command } from 'commander'
import { positiveInt } from '../client-options.ts'

const collect = (value: string, previous: string[] = []): string[] => [...previous, value]

/** Registers the `certs` command and its subcommands. */
export function registerCertsCommand (program: Command): void {
  const certs = program.command('certs').description('create a development CA and node/client certificates for the API (TLS, mutual TLS)')
  certs.command('ca')
    .description('create a self-signed development CA (ca.crt, ca.key); never replaces one without --force')
    .option('--dir <dir>', 'output directory', './sorcha-certs')
    .option('--name <cn>', 'CA common name', 'Sorcha Peer development CA')
    .option('--days <n>', 'validity in days', positiveInt, 3650)
    .option('--force', 'replace an existing CA in --dir (the certificates it signed stop verifying)')
    .action(async (o: { dir: string, name: string, days: number, force?: boolean }) => { await (await import('../actions/certs.ts')).createCaFiles(o) })
  certs.command('node')
    .description('issue a server certificate for a node\'s API, signed by the CA in --dir')
    .option('--dir <dir>', 'directory holding ca.crt and ca.key; output goes here too', './sorcha-certs')
    .option('--name <name>', 'file name and common name', 'node')
    .option('--host <host>', 'host name or IP the node is reached at (repeatable)', collect, [] as string[])
    .option('--days <n>', 'validity in days', positiveInt, 365)
    .action(async (o: { dir: string, name: string, host: string[], days: number }) => { await (await import('../actions/certs.ts')).issueNodeFiles(o) })
  certs.command('client')
    .description('issue a client certificate (mutual TLS), signed by the CA in --dir')
    .option('--dir <dir>', 'directory holding ca.crt and ca.key; output goes here too', './sorcha-certs')
    .option('--name <name>', 'file name and common name', 'client')
    .option('--days <n>', 'validity in days', positiveInt, 365)
    .action(async (o: { dir: string, name: string, days: number }) => { await (await import('../actions/certs.ts')).issueClientFiles(o) })
}
