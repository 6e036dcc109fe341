import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/app';
import { parseEnvelope } from '../../src/events';
import { generateEvents, type RawMessage } from '../../src/generate';
import { silentLogger } from '../../src/log';
import type { AttributionStore } from '../../src/pipeline';
import { replayLines } from '../../src/replay';
import { openDynamoDbStore } from '../../src/store/dynamodb';
import { openSqliteStore } from '../../src/store/sqlite';
import { startDynamoDbLocal, type DynamoDbLocal } from '../support/dynamodb-local';
import { RecordingTraitWriter } from '../support/recording-writer';

/**
 * The local fallback recommender's state lives in the store: a process that starts on a store another
 * one filled recommends exactly what one process that saw everything would. Each "process" is a fresh
 * composition (createApp) over a fresh store handle on the same file or table, closed before the next.
 */
const stream = generateEvents({ users: 30, seed: 11, start: new Date('2026-03-01T00:00:00Z') });
const half = Math.floor(stream.length / 2);
const firstHalf = stream.slice(0, half);
const secondHalf = stream.slice(half);
/** A user seen in the first half only, whose own items therefore come from the first process's lessons. */
const shopper = firstHalf.find(
  (event) =>
    event.type === 'track' &&
    typeof event.userId === 'string' &&
    !secondHalf.some((later) => later.userId === event.userId),
)?.userId as string;
const trigger: RawMessage = {
  type: 'track',
  event: 'Product Added',
  messageId: 'restart-trigger',
  userId: shopper,
  timestamp: '2026-07-01T12:00:00.000Z',
  properties: { product_id: 'prod-025' },
};

const REPLAY_AT = '2026-07-01T12:00:00.000Z';
const TRIGGER_AT = '2026-07-02T12:00:00.000Z';

/**
 * One "process": a fresh app on `store` replays each part in turn (at REPLAY_AT, as `touchpoint replay`
 * would), then receives the trigger a day later (so the cached list is due for a refresh); returns the
 * list the trigger fetched for the shopper, and closes the store.
 */
async function runProcess(
  store: AttributionStore,
  parts: ReadonlyArray<readonly RawMessage[]>,
  withTrigger: boolean,
): Promise<unknown> {
  const writer = new RecordingTraitWriter();
  let now = REPLAY_AT;
  const app = await createApp(
    { TOUCHPOINT_STORE: 'memory', TOUCHPOINT_OWN_DOMAINS: 'shop.example.com' },
    { store, writer, log: silentLogger, clock: () => new Date(now) },
  );
  for (const part of parts) await replayLines(app.engine, linesOf(part));
  let list: unknown;
  if (withTrigger) {
    now = TRIGGER_AT;
    await app.engine.deliver(parseEnvelope(trigger), Date.now() + 10_000);
    const cached = (await store.getProfileState(`user:${shopper}`))?.recommendations;
    list = cached?.fetchedAt === TRIGGER_AT ? cached.items : 'the trigger did not refresh the list';
  }
  await app.close();
  return list;
}

async function* linesOf(events: readonly RawMessage[]): AsyncIterable<string> {
  for (const event of events) yield JSON.stringify(event);
}

/** `open(name)` opens the same store for the same name, as a new process would. */
function describeRestart(backend: string, open: (name: string) => Promise<AttributionStore>): void {
  it(`recommends after a restart on the same ${backend} store exactly what one process would`, async () => {
    // Prepare: one process that sees everything, and a store filled by another process before a restart
    const single = await runProcess(await open('single'), [firstHalf, secondHalf], true);
    await runProcess(await open('restarted'), [firstHalf], false);

    // Act: a new process on the same store sees only the second half and the trigger
    const restarted = await runProcess(await open('restarted'), [secondHalf], true);

    // Assess
    expect(single).toHaveLength(10); // PERSONALIZE_NUM_RESULTS' default
    expect(restarted).toEqual(single);
    // What a process that kept its model in memory would have had: only the second half to learn from.
    const secondHalfOnly = await runProcess(await open('second-half-only'), [secondHalf], true);
    expect(secondHalfOnly).not.toEqual(single);
  }, 120_000);
}

describe('local fallback recommender across restarts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'touchpoint-restart-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describeRestart('SQLite', (name) => openSqliteStore(join(dir, `${name}.db`)));

  describe('on DynamoDB Local', () => {
    let local: DynamoDbLocal | undefined;
    const tables = new Map<string, string>();
    beforeAll(async () => {
      local = await startDynamoDbLocal();
    }, 120_000);
    afterAll(async () => {
      await local?.stop();
    });

    describeRestart('DynamoDB', async (name) => {
      if (!local) throw new Error('DynamoDB Local did not start');
      const table = tables.get(name) ?? (await local.freshTable(name));
      tables.set(name, table);
      return openDynamoDbStore(table, local.documentClient);
    });
  });
});
