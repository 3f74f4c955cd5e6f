/**
 * A development certificate authority for the gateway's TLS and mutual TLS: a self-signed CA, and
 * node (server) and client certificates it signs. RSA 2048 / SHA-256 via node-forge (which uses
 * Node's native key generation); certificates carry subjectAltName entries for the hosts given, as
 * TLS clients match hosts against SANs only (RFC 6125 §6.4.4). For development and tests, not for
 * production PKI.
 */
import { randomBytes } from 'node:crypto'
import { isIP } from 'node:net'
import forge from 'node-forge'

/** A PEM certificate and its PEM private key. */
export interface CertificatePair {
  cert: string
  key: string
}

/** Options of a certificate. */
export interface IssueOptions {
  commonName: string
  /** Days of validity from now. @default 365 */
  days?: number
  /** Host names and IP addresses (server certificates). */
  hosts?: string[]
}

function baseCertificate (commonName: string, days: number, publicKey: forge.pki.PublicKey): forge.pki.Certificate {
  const cert = forge.pki.createCertificate()
  cert.publicKey = publicKey
  // A positive serial of at most 20 octets in minimal DER (RFC 5280 §4.1.2.2): the top bit cleared so
  // it is positive, the next one set so no leading zero octet is ever needed or non-minimal.
  const serial = randomBytes(16)
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x40
  cert.serialNumber = serial.toString('hex')
  const now = new Date()
  cert.validity.notBefore = new Date(now.getTime() - 60_000)
  cert.validity.notAfter = new Date(now.getTime() + days * 86_400_000)
  cert.setSubject([{ name: 'commonName', value: commonName }, { name: 'organizationName', value: 'Sorcha Peer (development)' }])
  return cert
}

/** Creates a self-signed CA. */
export function createCa (options: { commonName?: string, days?: number } = {}): CertificatePair {
  const keys = forge.pki.rsa.generateKeyPair({ bits: 2048 })
  const cert = baseCertificate(options.commonName ?? 'Sorcha Peer development CA', options.days ?? 3650, keys.publicKey)
  cert.setIssuer(cert.subject.attributes)
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' }
  ])
  cert.sign(keys.privateKey, forge.md.sha256.create())
  return { cert: forge.pki.certificateToPem(cert), key: forge.pki.privateKeyToPem(keys.privateKey) }
}

/** Issues a server ('node') or client certificate signed by `ca`. */
export function issueCertificate (ca: CertificatePair, usage: 'node' | 'client', options: IssueOptions): CertificatePair {
  const caCert = forge.pki.certificateFromPem(ca.cert)
  const caKey = forge.pki.privateKeyFromPem(ca.key)
  const keys = forge.pki.rsa.generateKeyPair({ bits: 2048 })
  const cert = baseCertificate(options.commonName, options.days ?? 365, keys.publicKey)
  cert.setIssuer(caCert.subject.attributes)
  const hosts = options.hosts ?? []
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: usage === 'node', clientAuth: usage === 'client' },
    ...(hosts.length === 0 ? [] : [{ name: 'subjectAltName', altNames: hosts.map(h => isIP(h) === 0 ? { type: 2, value: h } : { type: 7, ip: h }) }])
  ])
  cert.sign(caKey, forge.md.sha256.create())
  return { cert: forge.pki.certificateToPem(cert), key: forge.pki.privateKeyToPem(keys.privateKey) }
}
