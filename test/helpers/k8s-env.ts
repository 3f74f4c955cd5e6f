/** Environment variables the kubelet injects into pods (service links), for tests of the env rule. */

/** For a Service `sorcha-peer` (ClusterIP 10.0.0.1) with one port named p2p, 4100/TCP. */
export const K8S_SORCHA_PEER_LINKS: Readonly<Record<string, string>> = Object.freeze({
  SORCHA_PEER_SERVICE_HOST: '10.0.0.1',
  SORCHA_PEER_SERVICE_PORT: '4100',
  SORCHA_PEER_SERVICE_PORT_P2P: '4100',
  SORCHA_PEER_PORT: 'tcp://10.0.0.1:4100',
  SORCHA_PEER_PORT_4100_TCP: 'tcp://10.0.0.1:4100',
  SORCHA_PEER_PORT_4100_TCP_PROTO: 'tcp',
  SORCHA_PEER_PORT_4100_TCP_PORT: '4100',
  SORCHA_PEER_PORT_4100_TCP_ADDR: '10.0.0.1'
})

/** For a Service `sorcha-ops` (ClusterIP 10.0.0.5), 4290/TCP: its SORCHA_OPS_PORT shadows the setting ops.port. */
export const K8S_SORCHA_OPS_LINKS: Readonly<Record<string, string>> = Object.freeze({
  SORCHA_OPS_SERVICE_HOST: '10.0.0.5',
  SORCHA_OPS_SERVICE_PORT: '4290',
  SORCHA_OPS_PORT: 'tcp://10.0.0.5:4290',
  SORCHA_OPS_PORT_4290_TCP: 'tcp://10.0.0.5:4290',
  SORCHA_OPS_PORT_4290_TCP_PROTO: 'tcp',
  SORCHA_OPS_PORT_4290_TCP_PORT: '4290',
  SORCHA_OPS_PORT_4290_TCP_ADDR: '10.0.0.5'
})

/** Service links of other Services in the namespace, and the usual non-Sorcha pod variables. */
export const K8S_OTHER_ENV: Readonly<Record<string, string>> = Object.freeze({
  KUBERNETES_SERVICE_HOST: '10.0.0.1',
  KUBERNETES_SERVICE_PORT: '443',
  KUBERNETES_SERVICE_PORT_HTTPS: '443',
  KUBERNETES_PORT: 'tcp://10.0.0.1:443',
  KUBERNETES_PORT_443_TCP: 'tcp://10.0.0.1:443',
  KUBERNETES_PORT_443_TCP_PROTO: 'tcp',
  KUBERNETES_PORT_443_TCP_PORT: '443',
  KUBERNETES_PORT_443_TCP_ADDR: '10.0.0.1',
  HOSTNAME: 'sorcha-peer-0'
})
