/**
 * The per-peer score, 0..100 (SPEC.md §4). It depends only on fields stored in the record (status,
 * latency, failure count), never on the current time, so the stored score and its index stay correct
 * between events; staleness is handled separately by the last-seen order.
 */
import { PeerStatus, type PeerNode } from '../models/index.ts'
import {
  SCORE_FAILURE_PENALTY, SCORE_LATENCY_HALF_MS, SCORE_LATENCY_POINTS, SCORE_STATUS_BASE
} from './constants.ts'

/** Points for a latency moving average: 40 at 0 ms, 20 at 100 ms, 0 when not measured. */
export function latencyPoints (latencyMs: number): number {
  if (!(latencyMs > 0)) return 0
  return SCORE_LATENCY_POINTS * SCORE_LATENCY_HALF_MS / (SCORE_LATENCY_HALF_MS + latencyMs)
}

/**
 * score = clamp(0, 100, base(status) + latencyPoints(latency) − 10 × consecutiveFailures), rounded to
 * 0.01; a banned peer scores 0.
 */
export function peerScore (node: Pick<PeerNode, 'status' | 'latencyMs' | 'consecutiveFailures'>): number {
  if (node.status === PeerStatus.PEER_STATUS_BANNED) return 0
  const base = SCORE_STATUS_BASE[node.status] ?? 0
  const raw = base + latencyPoints(node.latencyMs) - SCORE_FAILURE_PENALTY * node.consecutiveFailures
  return Math.round(Math.min(100, Math.max(0, raw)) * 100) / 100
}

/** Returns the node with its score recomputed. */
export function withScore (node: PeerNode): PeerNode {
  return { ...node, score: peerScore(node) }
}
