/**
 * A libp2p component by name, or undefined when the node has none: libp2p's components object
 * throws for a service that is absent, and optional collaborators (the event log, the reputation
 * service) must not make a service fail in a node built without them.
 */
export function optionalComponent<T> (components: object, name: string): T | undefined {
  try {
    return (components as Record<string, unknown>)[name] as T | undefined
  } catch {
    return undefined
  }
}
