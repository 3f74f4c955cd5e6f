/**
 * The gossipsub strategy's topics, apart from its distributor so that naming a topic (tests, tools)
 * does not load @libp2p/gossipsub, which a node loads only for `gossip.strategy: gossipsub`
 * (strategy-loader.ts).
 */
import { ALL_REGISTERS } from '../../protocols/reconcile/index.ts'
import { GOSSIPSUB_TOPIC_PREFIX } from './constants.ts'

/** The gossipsub topic of a register. */
export const topicOf = (registerId: string): string => GOSSIPSUB_TOPIC_PREFIX + registerId

/**
 * The topic of every register, /sorcha/tx/* ('*' is no register id): a node serving every register
 * (gossip.registers empty) or relaying all subscribes to it, and every transaction is published to
 * it as well as to its register's topic (docs/gossip.md).
 */
export const ALL_REGISTERS_TOPIC = topicOf(ALL_REGISTERS)
