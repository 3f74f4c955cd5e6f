/** Configuration: one schema, loaded once at start-up (file < env < flags), frozen. */
export { configSchema, type Config, type ConfigInput } from './schema.ts'
export { configLeaves, type ConfigLeaf } from './leaves.ts'
export { loadConfig, readConfigFile, resolveConfig, CONFIG_FILE_ENV, type ConfigSources } from './load.ts'
export { ConfigError, ConfigFileError } from './errors.ts'
export { isServiceLink, serviceLinkVariables, type ServiceLinkVariable } from './service-links.ts'
export { StartupError, AddressInUseError, AddressNotAvailableError, ListenPermissionError, ListenFailedError, DataDirUnwritableError, listenErrorFor, bindErrorFor, flagOf, fsReason, EXIT_ENVIRONMENT } from './startup-errors.ts'
export { configWarnings, type ConfigWarning } from './warnings.ts'
