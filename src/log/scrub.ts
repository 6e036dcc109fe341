import type { LogFields } from './logger';

/**
 * Masking of what must never reach a log: email addresses and Segment writeKeys. Callers log ids and
 * reasons only; this is the second line of defence for the reason strings that quote their input.
 *
 * Both passes are linear in the length of the text. The email pass is a hand-written scan instead of a
 * regular expression because `/[^\s@"]+@[^\s@"]+\.[a-z]{2,}/gi` restarts at every character of a long
 * run without an `@` and backtracks to its end: quadratic (1.7 s for 32 KB, hours for 1 MB).
 */

/** `"writeKey": "…"`, `writeKey=…` and friends; the value is masked, the key kept. Linear: a literal anchors it. */
const WRITE_KEY = /("?writeKey"?\s*[:=]\s*"?)[^",\s}]+/gi;

const EMAIL_MASK = '[email]';
const AT = 0x40;
const QUOTE = 0x22;
const DOT = 0x2e;

/**
 * Whether a UTF-16 code unit ends the local part or the domain of an address: `@`, `"` and exactly the
 * characters `\s` matches in JavaScript (a test compares this with `/[\s@"]/` for every code unit).
 */
function endsAddress(code: number): boolean {
  if (code === AT || code === QUOTE || code === 0x20) return true;
  if (code < 0xa0) return code >= 0x09 && code <= 0x0d;
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/** ASCII letters only, as `[a-z]` with the `i` flag (and no `u` flag) matches. */
function isAsciiLetter(code: number): boolean {
  const lower = code | 0x20;
  return lower >= 0x61 && lower <= 0x7a;
}

/**
 * Replaces every email address in `text` with `[email]`, matching exactly what
 * `text.replace(/[^\s@"]+@[^\s@"]+\.[a-z]{2,}/gi, '[email]')` replaces, in one pass.
 *
 * For each `@`: the local part is the run of address characters before it (never reaching back into the
 * previous match); the domain is the run after it, up to the last `.` followed by two letters, plus the
 * letters after that dot. Local runs end at the previous `@` and domain runs at the next one, so every
 * character is visited a bounded number of times.
 */
export function maskEmails(text: string): string {
  let at = text.indexOf('@');
  if (at === -1) return text;
  let masked = '';
  let copied = 0; // text before this index is already in `masked`
  while (at !== -1) {
    let start = at;
    while (start > copied && !endsAddress(text.charCodeAt(start - 1))) start--;
    let end = at + 1;
    while (end < text.length && !endsAddress(text.charCodeAt(end))) end++;
    // The last dot with two letters after it, leaving at least one domain character before it.
    let dot = end - 3;
    while (
      dot >= at + 2 &&
      !(
        text.charCodeAt(dot) === DOT &&
        isAsciiLetter(text.charCodeAt(dot + 1)) &&
        isAsciiLetter(text.charCodeAt(dot + 2))
      )
    ) {
      dot--;
    }
    if (start < at && dot >= at + 2) {
      let matchEnd = dot + 3;
      while (matchEnd < end && isAsciiLetter(text.charCodeAt(matchEnd))) matchEnd++;
      masked += text.slice(copied, start) + EMAIL_MASK;
      copied = matchEnd;
      at = text.indexOf('@', matchEnd);
    } else {
      at = text.indexOf('@', at + 1);
    }
  }
  return masked + text.slice(copied);
}

/** Masks writeKey values, then email addresses, in one string. Linear in its length. */
export function scrubText(text: string): string {
  return maskEmails(text.replace(WRITE_KEY, '$1[redacted]'));
}

/** Masks emails and writeKeys in string fields; other values pass through unchanged. */
export function scrub(fields: LogFields): LogFields {
  const clean: LogFields = {};
  for (const [key, value] of Object.entries(fields)) {
    clean[key] = typeof value === 'string' ? scrubText(value) : value;
  }
  return clean;
}
