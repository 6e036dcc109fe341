// Build-time stand-in for zod's `locales` barrel: zod's classic API re-exports all ~50 message locales
// (~300 KB minified) though it configures only English. touchpoint never switches locale.
export { default as en } from 'zod/v4/locales/en.js';
