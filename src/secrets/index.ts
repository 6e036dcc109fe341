export { mapSsmError, resolveSecrets, type SecretSettings } from './resolve';
export type { SsmAccess } from './ssm-parameter';
