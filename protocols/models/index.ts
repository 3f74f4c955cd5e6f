/** The core models: generated types from protos/, plus validation and equality. */
export * from '../../protos/gen/sorcha/p2p/v1/models.ts'
export {
  validatePeerNode, validateCapabilities, validateTransactionNotification, decodeValid, modelEquals,
  assertValid, isPeerId, isRegisterId, InvalidModelError, MODEL_LIMITS, type Validation
} from './validate.ts'
export { toHex, fromHex, hexEquals } from './hex.ts'
