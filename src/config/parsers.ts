import { z } from 'zod';

/**
 * The zod parsers the settings table (./settings.ts) is built from. Each one reads the text of one
 * environment variable. The loader has already put the setting's default in place of an unset or blank
 * variable, so a parser for a setting with a default only ever sees a string; one for a setting without
 * a default sees `undefined` when the variable is unset or blank.
 */

/** Trimmed text, for settings with a default. */
export const text = z.string().transform((value) => value.trim());

/** Trimmed text, or null when unset. */
export const optionalText = z
  .string()
  .optional()
  .transform((value) => value?.trim() ?? null);

/** A lower-cased comma list (domains and hosts are case-insensitive); unset is empty. */
export const lowercaseList = z
  .string()
  .optional()
  .transform((value): readonly string[] =>
    (value ?? '')
      .split(',')
      .map((item) => item.trim().toLowerCase())
      .filter(Boolean),
  );

/** A lower-cased comma list of `key<separator>value` pairs; unset is empty. */
export const lowercasePairs = (separator: string) =>
  lowercaseList.transform((items, ctx): Readonly<Record<string, string>> => {
    const result: Record<string, string> = {};
    for (const item of items) {
      const [key, value, ...rest] = item.split(separator);
      if (!key || !value || rest.length > 0) {
        ctx.addIssue({ code: 'custom', message: `an item is not key${separator}value` });
        return z.NEVER;
      }
      result[key.trim()] = value.trim();
    }
    return result;
  });

/** A case-preserving comma list (event names and paths are case-sensitive); unset is empty. */
export const exactList = z
  .string()
  .optional()
  .transform((value) =>
    (value ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  );

/** A case-preserving comma list of `key=value` pairs (a value may hold spaces); unset is empty. */
export const exactPairs = exactList.transform((items, ctx) => {
  const result: Record<string, string> = {};
  for (const item of items) {
    const at = item.indexOf('=');
    const key = item.slice(0, at).trim();
    const value = item.slice(at + 1).trim();
    if (at < 0 || !key || !value) {
      ctx.addIssue({ code: 'custom', message: 'an item is not key=value' });
      return z.NEVER;
    }
    result[key] = value;
  }
  return result;
});

/** A finite number above zero (fractions allowed: 0.5 minutes is a valid timeout). */
export const positiveNumber = z.string().transform((value, ctx) => {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) {
    ctx.addIssue({ code: 'custom', message: 'not a positive number' });
    return z.NEVER;
  }
  return number;
});

/** A whole number within [min, max]. */
export const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .transform((value) => Number(value))
    .pipe(z.number().int('must be a whole number').min(min).max(max));

/** true/false, also spelled 1/0, yes/no, on/off. */
export const flag = z.string().transform((value, ctx) => {
  const answer = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(answer)) return true;
  if (['false', '0', 'no', 'off'].includes(answer)) return false;
  ctx.addIssue({ code: 'custom', message: 'not true or false' });
  return z.NEVER;
});

/** One of a fixed set of names, after trimming (and lower-casing when `caseInsensitive`). */
export const oneOf = <T extends string>(names: readonly T[], { caseInsensitive = false } = {}) =>
  z
    .string()
    .transform((value) => (caseInsensitive ? value.trim().toLowerCase() : value.trim()))
    .pipe(z.enum(names as [T, ...T[]]));

/** Where touchpoint keeps its state (src/store/open.ts opens it). */
export type StoreLocation =
  { kind: 'memory' } | { kind: 'sqlite'; path: string } | { kind: 'dynamodb'; table: string };

/** `memory`, `sqlite:<path>` or `dynamodb:<table>`. */
export const storeLocation = z.string().transform((value, ctx): StoreLocation => {
  const spec = value.trim();
  if (spec === 'memory') return { kind: 'memory' };
  const [kind, ...rest] = spec.split(':');
  const target = rest.join(':');
  if (kind === 'sqlite' && target) return { kind: 'sqlite', path: target };
  if (kind === 'dynamodb' && target) return { kind: 'dynamodb', table: target };
  ctx.addIssue({ code: 'custom', message: 'not sqlite:<path>, memory or dynamodb:<table>' });
  return z.NEVER;
});

/** An ISO-8601 instant (or any date Date reads), as canonical UTC with milliseconds, within years 1000-9999. */
export const isoInstant = text.transform((value, ctx) => {
  const ms = Date.parse(value);
  const year = Number.isNaN(ms) ? NaN : new Date(ms).getUTCFullYear();
  if (!(year >= 1000 && year <= 9999)) {
    ctx.addIssue({ code: 'custom', message: 'not an ISO-8601 date between years 1000 and 9999' });
    return z.NEVER;
  }
  return new Date(ms).toISOString();
});

/** An http(s) base URL, without a trailing slash. */
export const baseUrl = (example: string) =>
  text
    .pipe(z.url({ message: `must be a URL such as ${example}` }))
    .transform((url) => url.replace(/\/+$/, ''));

/** An Amazon Personalize resource ARN, or null when unset. */
export const personalizeArn = optionalText.transform((arn, ctx) => {
  if (arn !== null && !/^arn:aws[a-z-]*:personalize:[a-z0-9-]+:\d{12}:\S+$/.test(arn)) {
    ctx.addIssue({
      code: 'custom',
      message: 'not a Personalize ARN (arn:aws:personalize:<region>:<account>:...)',
    });
    return z.NEVER;
  }
  return arn;
});
