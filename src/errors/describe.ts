/**
 * How long a description may get: long enough for a configuration error that names every bad variable
 * (the CLI prints it), short enough that a log line or a dead letter never carries a whole response body.
 */
export const DESCRIBE_ERROR_MAX_CHARS = 1000;

/**
 * A one-line description of any thrown value, safe to log and to store as a dead-letter reason: the
 * error's name and message only, never its cause, stack or attached properties (SDK responses and
 * analytics-node contexts hang the request payload there). Line breaks and other control characters
 * become spaces, and the result is cut at DESCRIBE_ERROR_MAX_CHARS.
 */
export function describeError(error: unknown): string {
  return bounded(oneLine(rawDescription(error)));
}

function rawDescription(error: unknown): string {
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && error !== null) {
    // Duck-typed rather than `instanceof Error`: errors from another realm (a VM context, a worker) count.
    const { name, message } = error as { name?: unknown; message?: unknown };
    if (typeof message === 'string') {
      const label = typeof name === 'string' && name !== '' ? name : 'Error';
      return message === '' ? label : `${label}: ${message}`;
    }
    // Not `String(error)`: a custom toString may print the payload, or throw.
    return Object.prototype.toString.call(error);
  }
  return String(error);
}

function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\s*[\u0000-\u001f\u007f\u2028\u2029]+\s*/g, ' ').trim();
}

function bounded(text: string): string {
  return text.length <= DESCRIBE_ERROR_MAX_CHARS ? text : `${text.slice(0, DESCRIBE_ERROR_MAX_CHARS - 1)}…`;
}
