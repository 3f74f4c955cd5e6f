import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { resolveConfig } from '../../../src/config/index.ts'
import { rejection } from '../../helpers/config.ts'

const PEER = '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo'

describe('addresses checked when the configuration is read', () => {
  describe('bootstrap: TCP multiaddrs ending in a valid /p2p/<peer id>', () => {
    it('accepts IPv4, IPv6, DNS and dnsaddr addresses with a real peer id', () => {
      const bootstrap = [`/ip4/192.0.2.7/tcp/4100/p2p/${PEER}`, `/ip6/2001:db8::7/tcp/4100/p2p/${PEER}`, `/dns4/boot.example.net/tcp/4100/p2p/${PEER}`, `/dnsaddr/boot.example.net/p2p/${PEER}`]
      assert.deepEqual(resolveConfig({ flags: { bootstrap } }).bootstrap, bootstrap)
    })
    it('rejects a peer id that does not parse, naming it', () => {
      const err = rejection(() => resolveConfig({ flags: { bootstrap: [`/ip4/192.0.2.7/tcp/4100/p2p/${PEER}`, '/ip4/192.0.2.8/tcp/4100/p2p/12D3KooWabc'] } }))
      assert.equal(err.key, 'bootstrap')
      assert.match(err.message, /item 1: "12D3KooWabc" is not a valid peer id; allowed: TCP multiaddrs ending in \/p2p\/<peer id>/)
    })
    it('rejects an address without /p2p/ and one whose /p2p/ is not last', () => {
      assert.match(rejection(() => resolveConfig({ flags: { bootstrap: ['/ip4/192.0.2.7/tcp/4100'] } })).message, /item 0: does not end in \/p2p\/<peer id>/)
      assert.match(rejection(() => resolveConfig({ env: { SORCHA_BOOTSTRAP: `/p2p/${PEER}/p2p-circuit` } })).message, /does not end in \/p2p\/<peer id>/)
    })
    it('rejects a transport the node cannot dial, naming it', () => {
      const err = rejection(() => resolveConfig({ flags: { bootstrap: [`/ip4/192.0.2.7/udp/4100/quic-v1/p2p/${PEER}`] } }))
      assert.match(err.message, /item 0: QUIC is not supported: the node dials TCP only/)
    })
  })

  describe('listen: a transport the node runs (TCP)', () => {
    it('accepts TCP on IPv4 and IPv6', () => {
      assert.deepEqual(resolveConfig({ flags: { listen: ['/ip4/0.0.0.0/tcp/4100', '/ip6/::/tcp/0'] } }).listen, ['/ip4/0.0.0.0/tcp/4100', '/ip6/::/tcp/0'])
    })
    for (const [address, transport] of [
      ['/ip4/0.0.0.0/udp/4100/quic-v1', 'QUIC'],
      ['/ip4/0.0.0.0/tcp/4100/ws', 'WebSockets'],
      ['/ip4/0.0.0.0/tcp/4100/tls/ws', 'secure WebSockets'],
      ['/ip4/0.0.0.0/udp/4100/webrtc-direct', 'WebRTC'],
      ['/ip4/0.0.0.0/udp/4100/quic-v1/webtransport', 'WebTransport'],
      ['/ip4/0.0.0.0/udp/4100', 'UDP'],
      ['/unix/tmp%2Fsorcha.sock', 'Unix sockets']
    ]) {
      it(`rejects ${transport} (${address}) and says what is allowed`, () => {
        const err = rejection(() => resolveConfig({ env: { SORCHA_LISTEN: address } }))
        assert.equal(err.key, 'listen')
        assert.equal(err.source, 'env SORCHA_LISTEN')
        assert.ok(err.message.includes(`item 0: ${transport} is not supported: the node listens on TCP only`), err.message)
        assert.match(err.allowed, /^TCP multiaddrs, e\.g\. \/ip4\/0\.0\.0\.0\/tcp\/4100/)
      })
    }
    it('rejects a /p2p/ part in a listen address', () => {
      assert.match(rejection(() => resolveConfig({ flags: { listen: [`/ip4/0.0.0.0/tcp/4100/p2p/${PEER}`] } })).message, /takes no \/p2p\/ part/)
    })
  })

  describe('nat.stunServers: host:port with the port', () => {
    it('accepts names, IPv4 and bracketed IPv6 with a port', () => {
      const servers = ['stun.example.net:3478', '198.51.100.1:3479', '[2001:db8::1]:3478']
      assert.deepEqual(resolveConfig({ flags: { 'nat.stunServers': servers } }).nat.stunServers, servers)
    })
    it('rejects a server without a port, naming the setting and the fix', () => {
      const err = rejection(() => resolveConfig({ env: { SORCHA_NAT_STUN_SERVERS: 'stun.example.net:3478,stun2.example.net' } }))
      assert.equal(err.key, 'nat.stunServers')
      assert.match(err.message, /item 1: no port: write host:port, e\.g\. stun\.example\.net:3478/)
    })
    it('rejects an unbracketed IPv6 address and a port out of range', () => {
      assert.match(rejection(() => resolveConfig({ flags: { 'nat.stunServers': ['2001:db8::1'] } })).message, /needs brackets/)
      assert.match(rejection(() => resolveConfig({ flags: { 'nat.stunServers': ['[2001:db8::1]:70000'] } })).message, /port 70000 is outside 1-65535/)
      assert.match(rejection(() => resolveConfig({ flags: { 'nat.stunServers': ['stun.example.net:0'] } })).message, /port 0 is outside/)
    })
  })

  describe('ops', () => {
    it('defaults to 127.0.0.1:4290, enabled, and reads SORCHA_OPS_* and --ops-* like every setting', () => {
      assert.deepEqual(resolveConfig({}).ops, { enabled: true, host: '127.0.0.1', port: 4290 })
      const config = resolveConfig({ env: { SORCHA_OPS_HOST: '0.0.0.0', SORCHA_OPS_PORT: '9000' }, flags: { 'ops.port': '0', 'ops.enabled': 'false' } })
      assert.deepEqual(config.ops, { enabled: false, host: '0.0.0.0', port: 0 })
      assert.equal(rejection(() => resolveConfig({ env: { SORCHA_OPS_PORT: '65536' } })).key, 'ops.port')
    })
  })
})
