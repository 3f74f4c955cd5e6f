import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isServiceLink, resolveConfig, serviceLinkVariables } from '../../../src/config/index.ts'
import { rejection } from '../../helpers/config.ts'
import { K8S_OTHER_ENV, K8S_SORCHA_OPS_LINKS, K8S_SORCHA_PEER_LINKS as K8S_SORCHA_PEER } from '../../helpers/k8s-env.ts'

describe('Kubernetes service-link variables', () => {
  it('are ignored for a Service named sorcha-peer, and the settings around them still apply', () => {
    const config = resolveConfig({ env: { ...K8S_OTHER_ENV, ...K8S_SORCHA_PEER, ...K8S_SORCHA_OPS_LINKS, SORCHA_CONNECTIONS_MAX: '20' } })
    assert.equal(config.connections.max, 20)
    assert.equal(config.ops.port, 4290)
    assert.deepEqual(serviceLinkVariables(K8S_SORCHA_PEER).map(v => v.name), Object.keys(K8S_SORCHA_PEER).sort())
  })

  it('are recognised for other Service names, IPv6 cluster IPs, UDP and SCTP ports and named ports', () => {
    const links: Record<string, string> = {
      SORCHA_SERVICE_HOST: 'fd00::10', // a Service named just "sorcha"
      SORCHA_PORT: 'tcp://[fd00::10]:4200',
      SORCHA_BOOT_0_SERVICE_PORT_GRPC_API: '4200', // Service sorcha-boot-0, port named grpc-api
      SORCHA_STUN_PORT_3478_UDP: 'udp://10.0.0.9:3478',
      SORCHA_STUN_PORT_3478_UDP_PROTO: 'udp',
      SORCHA_X_PORT_9_SCTP_ADDR: '10.0.0.3',
      SORCHA_PEER_PORT_4100_TCP: 'tcp://[fd00::1]:4100'
    }
    for (const [name, value] of Object.entries(links)) assert.ok(isServiceLink(name, value), name)
    assert.doesNotThrow(() => resolveConfig({ env: links }))
  })

  it('need the value of a service link too: a misspelt setting stays fatal', () => {
    const typos: Record<string, string> = {
      SORCHA_GATEWAY_GPRC_PORT: '4201', // gateway.grpc.port misspelt: a port, not a tcp:// URL
      SORCHA_OPS_PORTT: '4290',
      SORCHA_PEER_SERVICE_HOST: 'not-an-ip',
      SORCHA_PEER_SERVICE_PORT: 'http',
      SORCHA_PEER_PORT: '4100',
      SORCHA_PEER_PORT_4100_TCP: 'tcp://10.0.0.1:4101', // port in the name and in the URL differ
      SORCHA_PEER_PORT_4100_TCP_PROTO: 'udp',
      SORCHA_PEER_PORT_4100_TCP_PORT: '4101',
      SORCHA_PEER_PORT_4100_TCP_ADDR: 'peer.local',
      SORCHA_PEER_PORT_4100_HTTP: 'tcp://10.0.0.1:4100',
      SORCHA__SERVICE_HOST: '10.0.0.1',
      SORCHA_DATADIR: '/data'
    }
    for (const [name, value] of Object.entries(typos)) {
      assert.equal(isServiceLink(name, value), false, name)
      const err = rejection(() => resolveConfig({ env: { ...K8S_SORCHA_PEER, [name]: value } }))
      assert.equal(err.key, name)
      assert.match(err.message, /unknown environment variable/)
    }
  })

  it('do not set a setting whose variable they shadow (a Service named sorcha-ops sets SORCHA_OPS_PORT)', () => {
    const env = { SORCHA_OPS_PORT: 'tcp://10.0.0.5:4290', SORCHA_GATEWAY_GRPC_PORT: 'tcp://10.0.0.6:4200' }
    const config = resolveConfig({ env })
    assert.equal(config.ops.port, 4290)
    assert.equal(config.gateway.grpc.port, 4200)
    assert.deepEqual(serviceLinkVariables(env).map(v => v.shadows), ['gateway.grpc.port', 'ops.port'])
    // A real value in the same variable is the setting.
    assert.equal(resolveConfig({ env: { SORCHA_OPS_PORT: '4300' } }).ops.port, 4300)
    assert.equal(rejection(() => resolveConfig({ env: { SORCHA_OPS_PORT: 'tcp://peer:4290' } })).key, 'ops.port')
  })
})
