import { failureAction, failureTable, type FailureAction } from '../errors';

/**
 * What a Personalize call does about each failure action of src/errors/failures.ts (the one table,
 * service `personalize`; test/personalize/errors.test.ts sends every row through the real SDK):
 * - `retry`: transient. The invocation fails (RetryableError) and Segment retries; safe because
 *   eventId = messageId and every store write is idempotent.
 * - `reject`: the request itself is bad. That message is dead-lettered with the reason; no throw.
 * - `configuration`: the deployment is wrong (unknown tracker/campaign, missing permission). A retry
 *   cannot help, so nothing is retried: a clear error is logged, the messages are kept as dead letters,
 *   and calls pause for a while instead of hammering AWS.
 */
export const EXCEPTION_ACTIONS: Readonly<Record<string, FailureAction>> = failureTable('personalize').names;

/** The action for any thrown value from a Personalize call (the failure table's rules, in its order). */
export function classifyError(error: unknown): FailureAction {
  return failureAction(error, 'personalize');
}

/**
 * After a configuration error, stop calling AWS for `pauseMs` (per container): every message in that
 * window is dead-lettered with the same reason without a request, so a wrong ARN does not turn into a
 * storm of doomed calls. The first call after the pause tries again, so a fixed deployment recovers alone.
 */
export class ConfigurationBreaker {
  private openUntil = 0;
  private reason = '';

  constructor(
    private readonly pauseMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The reason while open, else null. */
  openReason(): string | null {
    return this.now() < this.openUntil ? this.reason : null;
  }

  trip(reason: string): void {
    this.openUntil = this.now() + this.pauseMs;
    this.reason = reason;
  }
}
