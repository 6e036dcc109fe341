import { createApp, type App } from '../../app';
import { parseMessage } from '../../events';
import type { DeadLetter, DeadLetterFilter } from '../../pipeline';
import { UsageError } from '../args';
import { commandLogger } from '../logging';
import { openExistingStore } from '../store';
import { defineCommand } from '../types';

/** Dead letters listed without `--limit`; `--replay` and `--purge` take every match without it. */
const DEFAULT_LIST_LIMIT = 20;
const ALL = 1_000_000;
/** Dead letters re-delivered through the engine at once (one write-back per profile per chunk). */
const REPLAY_CHUNK = 500;
/** Time budget per chunk: a replay has no Segment timeout, but is bounded. */
const CHUNK_BUDGET_MS = 10 * 60_000;

export const deadLettersCommand = defineCommand({
  name: 'dead-letters',
  summary: 'print the newest dead-lettered messages as JSON lines, or replay or purge them',
  positionals: [],
  flags: {
    limit: {
      type: 'number',
      min: 1,
      max: ALL,
      help: `how many, newest first (default ${DEFAULT_LIST_LIMIT}; with --replay or --purge: all that match)`,
    },
    since: {
      type: 'string',
      placeholder: 'ISO-8601',
      help: 'only those dead-lettered at or after this time, e.g. 2026-03-01 or 2026-03-01T10:00:00Z',
    },
    reason: { type: 'string', placeholder: 'text', help: 'only those whose reason contains this text' },
    replay: {
      type: 'boolean',
      help: 're-run them through the pipeline (after fixing the cause) and remove the ones that now succeed',
    },
    purge: { type: 'boolean', help: 'delete them' },
  },
  async run({ flags }, io) {
    if (flags.replay && flags.purge) throw new UsageError('--replay and --purge do not go together');
    const filter: DeadLetterFilter = { since: sinceOf(flags.since), reason: flags.reason };
    if (flags.replay) {
      const app = await createApp(io.env, { log: commandLogger(io) });
      try {
        const letters = await app.pipeline.store.listDeadLetters(flags.limit ?? ALL, filter);
        const result = await replayDeadLetters(app, letters);
        io.stdout.write(
          `replayed ${letters.length} dead letters: ${result.removed} succeeded and were removed, ${result.kept} dead-lettered again\n`,
        );
        return 0;
      } finally {
        await app.close();
      }
    }
    const app = await openExistingStore(io);
    try {
      if (flags.purge) {
        const letters = await app.store.listDeadLetters(flags.limit ?? ALL, filter);
        const removed = await app.store.removeDeadLetters(letters.map((letter) => letter.key));
        io.stdout.write(`purged ${removed} dead letters\n`);
        return 0;
      }
      for (const letter of await app.store.listDeadLetters(flags.limit ?? DEFAULT_LIST_LIMIT, filter)) {
        io.stdout.write(JSON.stringify(letter) + '\n');
      }
      return 0;
    } finally {
      await app.close();
    }
  },
});

/**
 * Re-delivers dead letters through the app's engine, a chunk at a time, and removes the ones that did not
 * come back: a message that fails again is dead-lettered again under the same key (replacing its row
 * with the new reason and time), so what remains is what still fails (and what Personalize rejected:
 * see `untrackable`). A transient failure throws before anything of its chunk is removed (the letters
 * stay for the next run).
 */
export async function replayDeadLetters(
  app: App,
  letters: readonly DeadLetter[],
): Promise<{ removed: number; kept: number }> {
  const { store, clock, settings } = app.pipeline;
  let removed = 0;
  for (let start = 0; start < letters.length; start += REPLAY_CHUNK) {
    const chunk = letters.slice(start, start + REPLAY_CHUNK);
    const startedAt = clock().toISOString();
    const parsed = chunk.map((letter) => parseMessage(letter.payload, { timestamps: settings.timestamps }));
    await app.engine.deliver(parsed, Date.now() + CHUNK_BUDGET_MS);
    const again = new Set(
      (await store.listDeadLetters(ALL, { since: startedAt })).map((letter) => letter.key),
    );
    removed += await store.removeDeadLetters(
      chunk.filter((letter) => !again.has(letter.key) && !untrackable(letter)).map((letter) => letter.key),
    );
  }
  return { removed, kept: letters.length - removed };
}

/**
 * A message Personalize rejected was otherwise processed: a replay skips it as a duplicate (when it was
 * marked done) or tracks it again, which Personalize rejects again, so its dead letter stays until purged.
 */
function untrackable(letter: DeadLetter): boolean {
  return letter.reason.startsWith('personalize: ');
}

/** `--since` as an ISO-8601 instant. */
function sinceOf(since: string | undefined): string | undefined {
  if (since === undefined) return undefined;
  const ms = Date.parse(since);
  if (Number.isNaN(ms)) throw new UsageError(`--since ${since}: not a date (ISO-8601, e.g. 2026-03-01)`);
  return new Date(ms).toISOString();
}
