export {
  mapSsmError,
  resolveHttpSecrets,
  resolveSecrets,
  type HttpSecretSettings,
  type SecretSettings,
} from './resolve';
export type { SsmAccess } from './ssm-parameter';
