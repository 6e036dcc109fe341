export { DESCRIBE_ERROR_MAX_CHARS, describeError } from './describe';
export { ConfigurationError, RetryableError, ValidationError } from './family';
export {
  FAILURE_TABLE,
  SERVICE_FAILURE_OVERRIDES,
  UNKNOWN_FAILURE_ACTION,
  failureAction,
  failureTable,
  knownFailureAction,
  toTouchpointError,
  type FailureAction,
  type FailureService,
  type FailureTable,
} from './failures';
