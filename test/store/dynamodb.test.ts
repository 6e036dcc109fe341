import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Touch, Traits } from '../../src/attribution';
import { ConfigurationError, failureTable, RetryableError, ValidationError } from '../../src/errors';
import { resolveProfile, type IdentityKey } from '../../src/identity';
import { computeProfile } from '../../src/pipeline';
import {
  createDocumentClient,
  createTable,
  DynamoDbStore,
  itemBytes,
  MAX_ITEM_BYTES,
  LINK_CACHE_MS,
  mapDynamoDbError,
  MAX_ATTEMPTS,
  openDynamoDbStore,
  RECORD_TTL_SECONDS,
} from '../../src/store/dynamodb';
import { startDynamoDbLocal, type DynamoDbLocal } from '../support/dynamodb-local';
import { writeOldLayout } from '../support/dynamodb-old-layout';
import { pageEvent } from '../support/events';
import { countRequests } from '../support/request-counter';
import { testPipeline } from '../support/pipeline';
import { describeStoreConformance } from './conformance';

let local: DynamoDbLocal | undefined;

beforeAll(async () => {
  local = await startDynamoDbLocal();
}, 120_000);

afterAll(async () => {
  await local?.stop();
});

function running(): DynamoDbLocal {
  if (!local) throw new Error('DynamoDB Local did not start');
  return local;
}

describeStoreConformance('dynamodb', async () => {
  const db = running();
  return openDynamoDbStore(await db.freshTable(), db.documentClient);
});

/** A DynamoDB client of its own on DynamoDB Local, with the requests it sends counted and priced. */
function countingClient(db: { endpoint: string }): {
  client: DynamoDBClient;
  counter: ReturnType<typeof countRequests>;
} {
  const client = new DynamoDBClient({
    endpoint: db.endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return { client, counter: countRequests(client) };
}

describe('dynamodb store', () => {
  it('checks the 400 KB item limit before writing, counting as DynamoDB counts', async () => {
    const db = running();
    const table = await db.freshTable('item-size');
    const store = await openDynamoDbStore(table, db.documentClient);
    const big = (bytes: number) => ({
      ...touch('anon:a', 'm1', '2026-01-01T10:00:00.000Z'),
      landing_page: 'é'.repeat(bytes / 2),
    });
    // an item our count puts just over the limit is one DynamoDB Local rejects as well
    const over = { pk: 'OWNER#anon:a', sk: 'TOUCH#x', touch: 'x'.repeat(MAX_ITEM_BYTES) };
    expect(itemBytes(over)).toBeGreaterThan(MAX_ITEM_BYTES);
    await expect(db.documentClient.send(new PutCommand({ TableName: table, Item: over }))).rejects.toThrow(
      /size/i,
    );

    await expect(store.putTouch(big(420 * 1024))).rejects.toThrow(ValidationError);
    await expect(store.putTouch(big(420 * 1024))).rejects.toThrow(
      /TOUCH item of \d+ KB is over DynamoDB's 400 KB item limit/,
    );
    await store.putTouch(big(300 * 1024));
    expect(await store.touchesOf(['anon:a'])).toHaveLength(1);
  });

  it("dead-letters a message whose item is over DynamoDB's limit, and processes the one beside it", async () => {
    const db = running();
    const store = await openDynamoDbStore(await db.freshTable('poison-size'), db.documentClient);
    const subject = testPipeline({ store });
    const huge = pageEvent({
      anonymousId: 'a-huge',
      messageId: 'm-huge',
      at: '2026-03-01T10:00:00Z',
      url: `https://shop.example.com/${'p'.repeat(450 * 1024)}?utm_source=x`,
    });
    const good = pageEvent({
      anonymousId: 'a-good',
      at: '2026-03-01T10:00:00Z',
      url: 'https://shop.example.com/?utm_source=news&utm_medium=email',
    });

    const report = await subject.deliver([huge, good]);
    const again = await subject.deliver([huge, good]);

    expect(report).toMatchObject({ received: 2, processed: 1, deadLettered: 1 });
    expect(again).toMatchObject({ processed: 1, identifyCalls: 0, deadLettered: 1 });
    expect(subject.writer.profiles().get('anon:a-good')).toMatchObject({ first_touch_source: 'news' });
    const letters = await store.listDeadLetters(10);
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      key: 'msg:m-huge',
      messageId: 'm-huge',
      reason: expect.stringMatching(/^store: a TOUCH item of \d+ KB is over/),
    });
    expect(letters[0]?.note).toBe('payload cut at 64,000 characters');
  });

  it('creates its table idempotently, on demand, with TTL on `ttl`', async () => {
    const db = running();
    const table = await db.freshTable('idempotent');

    await createTable(db.client, table);

    const { Table } = await db.client.send(new DescribeTableCommand({ TableName: table }));
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(Table?.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    const ttl = await db.client.send(new DescribeTimeToLiveCommand({ TableName: table }));
    expect(ttl.TimeToLiveDescription).toMatchObject({ AttributeName: 'ttl', TimeToLiveStatus: 'ENABLED' });
  });

  it('ignores idempotency records and dead letters whose TTL has passed but that DynamoDB has not deleted yet', async () => {
    const db = running();
    const table = await db.freshTable('ttl');
    const store = await openDynamoDbStore(table, db.documentClient);
    const past = Math.floor(Date.now() / 1000) - 60;
    await db.documentClient.send(
      new PutCommand({
        TableName: table,
        Item: { pk: 'MSG#old', sk: 'MSG', steps: new Set(['done']), ttl: past },
      }),
    );
    await store.addDeadLetter({
      at: '2026-01-01T00:00:00.000Z',
      key: 'msg:live',
      messageId: 'live',
      reason: 'kept',
      payload: null,
      note: null,
      owners: [],
    });
    await db.documentClient.send(
      new PutCommand({
        TableName: table,
        Item: {
          pk: 'DEADLETTER',
          sk: '2026-01-02T00:00:00.000Z#x',
          at: '2026-01-02T00:00:00.000Z',
          reason: 'expired',
          payload: 'null',
          ttl: past,
        },
      }),
    );

    expect(await store.getMessage('old')).toBeNull();
    expect((await store.listDeadLetters(10)).map((letter) => letter.reason)).toEqual(['kept']);
  });

  it('lets its own records expire after 30 days', async () => {
    const db = running();
    const table = await db.freshTable('expiry');
    const written = new DynamoDbStore(table, db.documentClient);
    await written.markStep('m1', 'done');
    const later = (seconds: number) =>
      new DynamoDbStore(table, db.documentClient, { now: () => Date.now() + seconds * 1000 });

    expect(await later(RECORD_TTL_SECONDS - 3600).getMessage('m1')).toEqual({
      messageId: 'm1',
      steps: ['done'],
    });
    expect(await later(RECORD_TTL_SECONDS + 3600).getMessage('m1')).toBeNull();
  });

  it('pages past expired dead letters to fill the requested number, newest first', async () => {
    const db = running();
    const table = await db.freshTable('paging');
    const store = await openDynamoDbStore(table, db.documentClient);
    const past = Math.floor(Date.now() / 1000) - 60;
    for (let i = 0; i < 6; i++) {
      await store.addDeadLetter({
        at: `2026-01-01T00:00:0${i}.000Z`,
        key: `msg:live-${i}`,
        messageId: `live-${i}`,
        reason: 'live',
        payload: i,
        note: null,
        owners: [],
      });
    }
    for (let i = 0; i < 6; i++) {
      await db.documentClient.send(
        new PutCommand({
          TableName: table,
          Item: {
            pk: 'DEADLETTER',
            sk: `2026-01-02T00:00:0${i}.000Z#x`,
            at: 'x',
            reason: 'expired',
            payload: 'null',
            ttl: past,
          },
        }),
      );
    }

    const letters = await store.listDeadLetters(3);

    expect(letters.map((letter) => letter.messageId)).toEqual(['live-5', 'live-4', 'live-3']);
  });

  it('keeps ids apart when raw ids contain the key separator', async () => {
    const db = running();
    const store = await openDynamoDbStore(await db.freshTable('separator'), db.documentClient);
    const plain: IdentityKey = 'anon:a';
    const tricky: IdentityKey = 'anon:a#TOUCH#2026';
    await store.putTouch(touch(plain, 'm#1', '2026-01-01T10:00:00.000Z'));
    await store.putTouch(touch(tricky, 'm#2', '2026-01-01T11:00:00.000Z'));
    await store.link({
      from: tricky,
      to: 'user:u#1',
      primary: 'user:u#1',
      timestamp: '2026-01-01T00:00:00.000Z',
    });

    expect((await store.touchesOf([plain])).map((t) => t.messageId)).toEqual(['m#1']);
    expect((await store.touchesOf([tricky])).map((t) => t.messageId)).toEqual(['m#2']);
    expect(await store.linksOf([plain])).toEqual([]);
    expect((await store.linksOf(['user:u#1'])).map((link) => link.to)).toEqual([tricky]);
  });

  it('writes a link pair once per container while the cache knows it, and again when earlier or forgotten', async () => {
    // Prepare
    const db = running();
    const { client, counter } = countingClient(db);
    let now = Date.parse('2026-01-01T00:00:00.000Z');
    const store = new DynamoDbStore(await db.freshTable('links'), createDocumentClient(client), {
      now: () => now,
    });
    const link = (timestamp: string) =>
      store.link({ from: 'anon:a', to: 'user:u', primary: 'user:u', timestamp });
    const puts = () => counter.reset().byOperation.PutItem?.requests ?? 0;

    // Act
    await link('2026-01-01T10:00:00.000Z');
    const first = puts();
    await link('2026-01-01T11:00:00.000Z');
    await link('2026-01-01T10:00:00.000Z');
    const repeats = puts();
    await link('2026-01-01T09:00:00.000Z');
    const earlier = puts();
    now += LINK_CACHE_MS;
    await link('2026-01-01T12:00:00.000Z');
    const expired = puts();
    await store.forget(['user:u']);
    await link('2026-01-01T12:00:00.000Z');
    const forgotten = puts();

    // Assess
    expect([first, repeats, earlier, expired, forgotten]).toEqual([2, 0, 2, 2, 2]);
    expect((await store.linksOf(['anon:a'])).map((found) => found.timestamp)).toEqual([
      '2026-01-01T12:00:00.000Z',
    ]);
    client.destroy();
  });

  it('saves a profile state deflated, one write unit per save for full traits, and reads states stored as JSON text', async () => {
    // Prepare: a profile's full trait set, as the write-back saves it (1.5 KB as JSON text)
    const db = running();
    const { client, counter } = countingClient(db);
    const table = await db.freshTable('state');
    const store = new DynamoDbStore(table, createDocumentClient(client));
    const traits = fullTraits();
    const recommendations = {
      items: Array.from({ length: 10 }, (_, index) => `prod-${String(index).padStart(3, '0')}`),
      recommendationId: 'RID-1f7c',
      fetchedAt: '2026-01-20T02:13:41.000Z',
      origin: 'personalize',
    };
    const target: IdentityKey = 'anon:da8a1568-3a96-4437-aea1-d501f7bdebbd';
    const legacy: IdentityKey = 'anon:written-before';
    await db.documentClient.send(
      new PutCommand({
        TableName: table,
        Item: {
          pk: `OWNER#${legacy}`,
          sk: 'STATE',
          writtenTraits: JSON.stringify(traits),
          writtenAt: '2026-01-20T02:13:42.000Z',
          recommendations: JSON.stringify(recommendations),
        },
      }),
    );

    // Act
    await store.saveWrittenTraits(target, traits, '2026-01-20T02:13:42.000Z', 'ids-digest');
    const traitsSave = counter.reset();
    await store.saveRecommendations(target, recommendations);
    const recommendationsSave = counter.reset();
    await store.saveRelatedRecommendations(target, { ...recommendations, itemId: 'prod-007' });
    const relatedSave = counter.reset();

    // Assess: as JSON text the same state item is over 1 KB, so each of these saves cost two write units
    expect(Buffer.byteLength(JSON.stringify(traits))).toBeGreaterThan(1024);
    expect([traitsSave.writeUnits, recommendationsSave.writeUnits, relatedSave.writeUnits]).toEqual([
      1, 1, 1,
    ]);
    expect(await store.getProfileState(target)).toEqual({
      writtenTraits: traits,
      writtenAt: '2026-01-20T02:13:42.000Z',
      writtenFor: 'ids-digest',
      recommendations,
      relatedRecommendations: { ...recommendations, itemId: 'prod-007' },
    });
    expect(await store.getProfileState(legacy)).toEqual({
      writtenTraits: traits,
      writtenAt: '2026-01-20T02:13:42.000Z',
      recommendations,
      relatedRecommendations: null,
    });
    client.destroy();
  });

  it('reads touches, conversions and the newest activity in one Query per id, as the three methods read them', async () => {
    // Prepare
    const db = running();
    const { client, counter } = countingClient(db);
    const store = new DynamoDbStore(await db.freshTable('records'), createDocumentClient(client));
    const owner: IdentityKey = 'anon:both';
    await store.putTouch(touch(owner, 't1', '2026-01-01T10:00:00.000Z'));
    await store.putTouch(touch('anon:other', 't2', '2026-01-01T10:00:00.000Z'));
    await store.recordActivity(owner, '2026-01-01T10:00:00.000Z', 't1');
    await store.recordActivity(owner, '2026-01-01T10:05:00.000Z', 'o1');
    await store.recordActivity('anon:other', '2026-01-01T11:00:00.000Z', 't2');
    await store.putConversion({
      ownerKey: owner,
      messageId: 'o1',
      timestamp: '2026-01-01T10:05:00.000Z',
      event: 'Order Completed',
      value: 10,
      currency: 'USD',
      credited: null,
    });
    await store.addDeadLetter({
      at: '2026-01-01T10:06:00.000Z',
      key: 'msg:bad',
      messageId: 'bad',
      reason: 'test',
      payload: null,
      note: null,
      owners: [owner],
    });

    counter.reset();

    // Act
    const inputs = await store.profileInputsOf([owner, 'user:none']);
    const requests = counter.reset().byOperation;

    // Assess
    expect(requests).toEqual({ Query: { requests: 2, readUnits: 2, writeUnits: 0 } });
    expect(inputs).toEqual({
      touches: await store.touchesOf([owner, 'user:none']),
      conversions: await store.conversionsOf([owner, 'user:none']),
      newestActivity: await store.newestActivity([owner, 'user:none']),
    });
    expect(inputs.touches.map((found) => found.messageId)).toEqual(['t1']);
    expect(inputs.conversions.map((found) => found.messageId)).toEqual(['o1']);
    expect(inputs.newestActivity).toBe('2026-01-01T10:05:00.000Z');
    client.destroy();
  });

  it('reads one page of activity at most, however many events an id had', async () => {
    // Prepare
    const db = running();
    const { client, counter } = countingClient(db);
    const store = new DynamoDbStore(await db.freshTable('busy-owner'), createDocumentClient(client));
    const owner: IdentityKey = 'anon:busy';
    const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 10, minute)).toISOString();
    for (let minute = 0; minute < 300; minute++) await store.recordActivity(owner, at(minute), `m${minute}`);
    await store.putTouch(touch(owner, 'm0', at(0)));
    await store.putTouch(touch(owner, 'm120', at(120)));
    counter.reset();

    // Act
    const inputs = await store.profileInputsOf([owner]);
    const requests = counter.reset().byOperation;

    // Assess: 300 activity items are about 34 KB (9 read units); one page of 32 items is under 4 KB
    expect(inputs.newestActivity).toBe(at(299));
    expect(inputs.touches.map((found) => found.messageId).sort()).toEqual(['m0', 'm120']);
    expect(requests).toEqual({ Query: { requests: 1, readUnits: 1, writeUnits: 0 } });
    client.destroy();
  });

  it('reads activity items written with ts and messageId attributes, as tables written before hold them', async () => {
    // Prepare
    const db = running();
    const table = await db.freshTable('legacy-activity');
    const store = await openDynamoDbStore(table, db.documentClient);
    const owner: IdentityKey = 'anon:legacy';
    await db.documentClient.send(
      new PutCommand({
        TableName: table,
        Item: {
          pk: `OWNER#${owner}`,
          sk: 'ACT#2026-01-01T10:00:00.000Z#m#old',
          ts: '2026-01-01T10:00:00.000Z',
          messageId: 'm#old',
        },
      }),
    );
    await store.recordActivity(owner, '2026-01-01T09:00:00.000Z', 'm#new');

    // Act
    const inputs = await store.profileInputsOf([owner]);
    const newest = await store.newestActivity([owner]);
    const window = (except: string) =>
      store.hasActivityBetween(owner, '2026-01-01T09:30:00.000Z', '2026-01-01T10:30:00.000Z', except);
    const earlier = (except: string) =>
      store.hasActivityBetween(owner, '2026-01-01T08:30:00.000Z', '2026-01-01T09:30:00.000Z', except);

    // Assess
    expect(inputs.newestActivity).toBe('2026-01-01T10:00:00.000Z');
    expect(newest).toBe('2026-01-01T10:00:00.000Z');
    expect([await window('x'), await window('m#old')]).toEqual([true, false]);
    expect([await earlier('x'), await earlier('m#new')]).toEqual([true, false]);
  });

  it('resolves and computes a profile with one Query per id: links, touches, conversions, newest activity and state', async () => {
    // Prepare: an anonymous visitor who signed up, with a touch on each id, a conversion and a saved state
    const db = running();
    const { client, counter } = countingClient(db);
    const table = await db.freshTable('one-read');
    const store = new DynamoDbStore(table, createDocumentClient(client));
    const anon: IdentityKey = 'anon:visitor';
    const user: IdentityKey = 'user:u1';
    await store.link({ from: anon, to: user, primary: user, timestamp: '2026-01-01T10:04:00.000Z' });
    await store.putTouch(touch(anon, 't1', '2026-01-01T10:00:00.000Z'));
    await store.recordActivity(anon, '2026-01-01T10:00:00.000Z', 't1');
    await store.putTouch(touch(user, 't2', '2026-01-02T10:00:00.000Z'));
    await store.recordActivity(user, '2026-01-02T10:05:00.000Z', 'o1');
    await store.putConversion({
      ownerKey: user,
      messageId: 'o1',
      timestamp: '2026-01-02T10:05:00.000Z',
      event: 'Order Completed',
      value: 10,
      currency: 'USD',
      credited: null,
    });
    await store.saveWrittenTraits(user, { touch_count: 1 }, '2026-01-02T10:00:01.000Z', 'digest');
    const settings = testPipeline().settings;
    counter.reset();

    // Act
    const profile = await resolveProfile(anon, store);
    const computed = await computeProfile(store, profile, settings);
    const requests = counter.reset().byOperation;

    // Assess: the same as a store that reads each part on its own (here one with nothing kept)
    const apart = await openDynamoDbStore(table, db.documentClient);
    expect(requests).toEqual({ Query: { requests: 2, readUnits: 2, writeUnits: 0 } });
    expect(profile).toEqual({ keys: [anon, user], target: user });
    expect(computed.touches).toEqual(await apart.touchesOf(profile.keys));
    expect(computed.conversions).toEqual(await apart.conversionsOf(profile.keys));
    expect(computed.newestActivity).toBe('2026-01-02T10:05:00.000Z');
    expect(computed.state).toEqual(await apart.getProfileState(user));
    expect(computed.state?.writtenFor).toBe('digest');
    // what was read was taken once: asking again reads again
    await store.profileInputsOf(profile.keys);
    await store.getProfileState(user);
    expect(counter.reset().byOperation).toEqual({
      Query: { requests: 2, readUnits: 2, writeUnits: 0 },
      GetItem: { requests: 1, readUnits: 1, writeUnits: 0 },
    });
    client.destroy();
  });

  it.each([
    [
      'a touch',
      (store: DynamoDbStore, n: number) =>
        store.putTouch(touch('anon:w', `new${n}`, `2026-01-01T1${n}:00:00.000Z`)),
    ],
    [
      'activity',
      (store: DynamoDbStore, n: number) =>
        store.recordActivity('anon:w', `2026-01-01T1${n}:00:00.000Z`, `new${n}`),
    ],
    [
      'saved traits',
      (store: DynamoDbStore, n: number) =>
        store.saveWrittenTraits('anon:w', { touch_count: n }, `2026-01-01T1${n}:00:00.000Z`),
    ],
    [
      'a conversion',
      (store: DynamoDbStore, n: number) =>
        store.putConversion({
          ownerKey: 'anon:w',
          messageId: `order${n}`,
          timestamp: `2026-01-01T1${n}:00:00.000Z`,
          event: 'Order Completed',
          value: n,
          currency: 'USD',
          credited: null,
        }),
    ],
  ])(
    'reads an id again after this store wrote %s to it, also when the write landed while its links were read',
    async (_name, write) => {
      // Prepare
      const db = running();
      const table = await db.freshTable('own-write');
      const store = await openDynamoDbStore(table, db.documentClient);
      await store.putTouch(touch('anon:w', 'old', '2026-01-01T10:00:00.000Z'));
      await store.recordActivity('anon:w', '2026-01-01T10:00:00.000Z', 'old');
      await store.saveWrittenTraits('anon:w', { touch_count: 1 }, '2026-01-01T10:00:00.000Z');
      // what a write-back reads after resolving the profile (these take what linksOf read, if kept)
      const readsOf = async (reader: DynamoDbStore) => ({
        inputs: await reader.profileInputsOf(['anon:w']),
        state: await reader.getProfileState('anon:w'),
      });
      const stored = async () => readsOf(await openDynamoDbStore(table, db.documentClient));

      // Act: a write after the links were read, then one racing the read
      await store.linksOf(['anon:w']);
      await write(store, 1);
      const afterWrite = await readsOf(store);
      const afterStored = await stored();
      await Promise.all([store.linksOf(['anon:w']), write(store, 2)]);
      const raced = await readsOf(store);

      // Assess
      expect(afterWrite).toEqual(afterStored);
      expect(raced).toEqual(await stored());
    },
  );

  it("moves links and profile states from the layout before into their ids' partitions, once", async () => {
    // Prepare: a table as the version before wrote it, and a state saved at the new place since
    const db = running();
    const table = await db.freshTable('migrate');
    await writeOldLayout(db.documentClient, table, {
      links: [{ from: 'anon:a', to: 'user:u', primary: 'user:u', ts: '2026-01-01T10:00:00.000Z' }],
      states: [
        { key: 'user:u', writtenTraits: { touch_count: 1 }, writtenAt: '2026-01-01T10:00:00.000Z' },
        { key: 'anon:b', writtenTraits: { touch_count: 5 }, writtenAt: '2026-01-01T09:00:00.000Z' },
      ],
    });
    const store = await openDynamoDbStore(table, db.documentClient);
    await store.saveWrittenTraits('anon:b', { touch_count: 6 }, '2026-01-02T09:00:00.000Z');
    await store.link({
      from: 'anon:a',
      to: 'user:u',
      primary: 'user:u',
      timestamp: '2026-01-03T10:00:00.000Z',
    });

    // Act
    const moved = await store.migrate();
    const again = await store.migrate();

    // Assess: the earlier link timestamp and the newer state are kept; nothing is left at the old places
    expect(moved).toEqual({ links: 2, states: 2 });
    expect(again).toEqual({ links: 0, states: 0 });
    const fresh = await openDynamoDbStore(table, db.documentClient);
    expect(await resolveProfile('anon:a', fresh)).toEqual({ keys: ['anon:a', 'user:u'], target: 'user:u' });
    expect((await fresh.linksOf(['anon:a', 'user:u'])).map((link) => link.timestamp)).toEqual([
      '2026-01-01T10:00:00.000Z',
      '2026-01-01T10:00:00.000Z',
    ]);
    expect((await fresh.getProfileState('user:u'))?.writtenTraits).toEqual({ touch_count: 1 });
    expect((await fresh.getProfileState('anon:b'))?.writtenTraits).toEqual({ touch_count: 6 });
    expect((await fresh.recentProfiles(10)).map((profile) => profile.target)).toEqual(['anon:b', 'user:u']);
  });

  it('forgets the links and state a table not yet migrated keeps where the layout before kept them', async () => {
    // Prepare
    const db = running();
    const table = await db.freshTable('forget-old');
    await writeOldLayout(db.documentClient, table, {
      links: [{ from: 'anon:a', to: 'user:u', primary: 'user:u', ts: '2026-01-01T10:00:00.000Z' }],
      states: [
        { key: 'user:u', writtenTraits: { touch_count: 1 } },
        { key: 'user:other', writtenTraits: { touch_count: 2 } },
      ],
    });
    const store = await openDynamoDbStore(table, db.documentClient);

    // Act
    await store.forget(['user:u']);

    // Assess: nothing of user:u is left anywhere, and the profile beside it is untouched
    const left = await db.documentClient.send(new ScanCommand({ TableName: table }));
    expect(left.Items?.map((item) => `${String(item.pk)} ${String(item.sk)}`)).toEqual([
      'PROFILE#user:other STATE',
    ]);
  });

  it('forgets more items than one BatchWriteItem takes', async () => {
    const db = running();
    const store = await openDynamoDbStore(await db.freshTable('forget'), db.documentClient);
    const owner: IdentityKey = 'anon:busy';
    for (let i = 0; i < 40; i++) {
      const at = new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString();
      await store.recordActivity(owner, at, `m${i}`);
      await store.putTouch(touch(owner, `m${i}`, at));
    }

    await store.forget([owner]);

    expect(await store.touchesOf([owner])).toEqual([]);
    expect(await store.newestActivity([owner])).toBeNull();
  });

  it('says to run setup when the table does not exist', async () => {
    const db = running();
    const store = await openDynamoDbStore('no-such-table', db.documentClient);

    const failure = store.getMessage('m1');

    await expect(failure).rejects.toBeInstanceOf(ConfigurationError);
    await expect(store.getMessage('m1')).rejects.toThrow(/"no-such-table".*touchpoint setup.*template\.yaml/);
  });
});

describe('dynamodb store timeouts', () => {
  let server: Server;
  let requests = 0;
  const saved = { ...process.env };

  beforeAll(async () => {
    server = createServer(() => {
      requests++; // never answers, like a stalled connection
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    });
  });

  afterAll(async () => {
    process.env = saved;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('gives up on a stalled DynamoDB within the invocation budget and asks for a retry', async () => {
    const store = await openDynamoDbStore('stalled');
    const started = Date.now();

    const failure = store.getMessage('m1');

    await expect(failure).rejects.toBeInstanceOf(RetryableError);
    await expect(failure).rejects.toThrow(/TimeoutError/);
    expect(Date.now() - started).toBeLessThan(4000);
    expect(requests).toBe(MAX_ATTEMPTS);
    await store.close();
  });
});

describe('mapDynamoDbError', () => {
  const awsError = (name: string, extra: Record<string, unknown> = {}) =>
    Object.assign(new Error(`${name} happened`), { name, ...extra });

  // Rejects are left as thrown (see mapDynamoDbError and the last test); every other name row maps.
  const rows = Object.entries(failureTable('dynamodb').names).filter(([, action]) => action !== 'reject');

  it.each(rows)('maps %s to its kind (%s)', (name, kind) => {
    const byName = mapDynamoDbError(awsError(name), 'tp', 'Query');
    const byCode = mapDynamoDbError(Object.assign(new Error('socket'), { code: name }), 'tp', 'Query');

    const expected = kind === 'retry' ? RetryableError : ConfigurationError;
    expect(byName).toBeInstanceOf(expected);
    expect(byCode).toBeInstanceOf(expected);
    expect((byName as Error).message).toContain('"tp"');
    expect((byName as Error).cause).toBeInstanceOf(Error);
  });

  it.each(Object.entries(failureTable('dynamodb').codes))(
    'maps network code %s to its kind (%s)',
    (code, kind) => {
      const mapped = mapDynamoDbError(Object.assign(new Error('socket'), { code }), 'tp', 'Query');

      expect(mapped).toBeInstanceOf(kind === 'retry' ? RetryableError : ConfigurationError);
      expect((mapped as Error).message).toContain('"tp"');
    },
  );

  it('names the fix for a missing table', () => {
    expect(
      (mapDynamoDbError(awsError('ResourceNotFoundException'), 'tp', 'GetItem') as Error).message,
    ).toMatch(/run `touchpoint setup` or deploy template\.yaml/);
  });

  it('treats an unmodelled 5xx as transient and leaves other errors as they are', () => {
    const unknown5xx = awsError('UnknownError', { $metadata: { httpStatusCode: 503 } });
    const validation = awsError('ValidationException', { $metadata: { httpStatusCode: 400 } });
    const conditional = awsError('ConditionalCheckFailedException', { $metadata: { httpStatusCode: 400 } });

    expect(mapDynamoDbError(unknown5xx, 'tp', 'Query')).toBeInstanceOf(RetryableError);
    expect(mapDynamoDbError(validation, 'tp', 'Query')).toBe(validation);
    expect(mapDynamoDbError(conditional, 'tp', 'PutItem')).toBe(conditional);
    expect(mapDynamoDbError('not an error', 'tp', 'Query')).toBe('not an error');
  });
});

/** A profile's whole trait set as a write-back saves it: both touches with their URLs, conversions, recommendations. */
function fullTraits(): Traits {
  const side = (prefix: string, channel: string, source: string, medium: string, at: string) => ({
    [`${prefix}_channel`]: channel,
    [`${prefix}_source`]: source,
    [`${prefix}_medium`]: medium,
    [`${prefix}_campaign`]: null,
    [`${prefix}_term`]: null,
    [`${prefix}_content`]: null,
    [`${prefix}_search_term`]: null,
    [`${prefix}_click_id`]: 'o75an6peqyq7f4b4j4be5d9c5ryjts52a4iw4xtw',
    [`${prefix}_referrer`]: 'https://l.facebook.com/',
    [`${prefix}_referrer_host`]: 'l.facebook.com',
    [`${prefix}_landing_page`]:
      'https://shop.example.com/sale?fbclid=o75an6peqyq7f4b4j4be5d9c5ryjts52a4iw4xtw',
    [`${prefix}_timestamp`]: at,
  });
  return {
    ...side('first_touch', 'Organic Search', 'google', 'organic', '2026-01-02T02:27:31.800Z'),
    ...side('last_touch', 'Organic Social', 'facebook', 'social', '2026-01-20T02:13:40.306Z'),
    first_non_direct_touch_channel: 'Organic Search',
    first_non_direct_touch_source: 'google',
    first_non_direct_touch_medium: 'organic',
    first_non_direct_touch_timestamp: '2026-01-02T02:27:31.800Z',
    touch_count: 4,
    conversion_count: 1,
    lifetime_revenue: 19.99,
    first_conversion_channel: 'Organic Social',
    recommended_products: ['prod-050', 'prod-018', 'prod-004', 'prod-010', 'prod-003', 'prod-034'],
    recommendations_updated_at: '2026-01-20T02:13:41.000Z',
  };
}

function touch(ownerKey: IdentityKey, messageId: string, timestamp: string): Touch {
  return {
    ownerKey,
    messageId,
    timestamp,
    channel: 'Referral',
    source: 'example.org',
    medium: 'referral',
    campaign: null,
    term: null,
    content: null,
    search_term: null,
    click_id: null,
    referrer: 'https://example.org/',
    referrer_host: 'example.org',
    landing_page: 'https://shop.example/',
    direct: false,
  };
}
