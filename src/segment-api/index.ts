/**
 * Segment's HTTP APIs over `fetch`, for the Segment Functions mode: the Profile API (read a profile's
 * traits), the Tracking API (send identify calls) and the Public API (deploy the functions). `fetch` is
 * injected, so the same clients run inside Segment's Functions runtime, in the CLI and against local
 * fakes in tests; every failure is mapped onto the error family (retry, refuse, fix a setting).
 */

export { basicAuth, callSegment, type CallPurpose, type FetchLike } from './http';
export { createProfileReader, type ProfileReaderOptions } from './profiles';
export {
  DEFAULT_PUBLIC_API_HOST,
  deployFunctions,
  type DeployResult,
  type FunctionDeployment,
  type PublicApiOptions,
} from './public-api';
export { createTrackingSender, type TrackingSenderOptions } from './tracking';
