export * from './keys';
export { resolveProfile, MAX_PROFILE_IDS, type Profile, type LinkReader, type IdentityLink } from './profile';
