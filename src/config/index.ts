/**
 * Configuration: the one module that reads `process.env`. Every variable is declared once in
 * ./settings.ts; the Config type, the loader, the defaults, the error messages and the README's
 * configuration tables (./readme.ts, checked by test/config/readme.test.ts) are derived from it.
 */
export { loadConfig } from './load';
export type { StoreLocation } from './parsers';
export {
  DEFAULTS,
  PERSONALIZE_DEFAULTS,
  SDK_ENDPOINT_OVERRIDES,
  SETTINGS,
  VARIABLES,
  type Config,
  type PersonalizeConfig,
  type SettingGroup,
  type SettingName,
  type SettingSpec,
} from './settings';
