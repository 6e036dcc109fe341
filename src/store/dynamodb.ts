import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
  type PutCommandInput,
  type QueryCommandInput,
  type ScanCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Touch, Traits } from '../attribution';
import type { Conversion, CreditMark } from '../conversion';
import { knownFailureAction, RetryableError, toTouchpointError, ValidationError } from '../errors';
import type { IdentityKey, IdentityLink } from '../identity';
import type {
  AttributionStore,
  CachedRecommendations,
  DeadLetter,
  DeadLetterFilter,
  MessageRecord,
  MessageStep,
  ProfileState,
  RecentProfile,
  RecommenderDoc,
  RecommenderWrite,
  WrittenBy,
} from '../pipeline/ports';
import { RACED_WRITE, recommenderDeviceDoc } from '../pipeline/ports';
import { matchesDeadLetterFilter } from '../pipeline/dead-letter';
import { PartitionReads } from './dynamodb-reads';

/**
 * The production store: one DynamoDB table, `pk`/`sk` strings plus a numeric `ttl` (epoch seconds).
 *
 * | item                | pk                  | sk                         | ttl     |
 * |---------------------|---------------------|----------------------------|---------|
 * | idempotency record  | `MSG#<messageId>`   | `MSG`                      | 30 days |
 * | activity            | `OWNER#<key>`       | `ACT#<ts>#<messageId>`     | none    |
 * | touch               | `OWNER#<key>`       | `TOUCH#<ts>#<messageId>`   | none    |
 * | conversion          | `OWNER#<key>`       | `CONV#<ts>#<messageId>`    | none    |
 * | link (both ends)    | `OWNER#<key>`       | `LINK#<otherKey>`          | none    |
 * | profile state       | `OWNER#<key>`       | `STATE`                    | none    |
 * | recommender doc     | `RECO#<key>`        | `DOC`                      | none    |
 * | (lesson markers)    | `RECO#lesson:<id>`  | `DOC`                      | 30 days |
 * | dead letter         | `DEADLETTER`        | `<letter key>`             | 30 days |
 * | its owners (index)  | `OWNER#<key>`       | `DEADLETTER#<letter key>`  | 30 days |
 *
 * `<key>` is the full IdentityKey (`anon:<id>`/`user:<id>`); raw ids may contain `#`, which is harmless
 * because the variable part is always last in pk, and sk ranges bound on the ISO timestamp only.
 * Timestamps are always the fixed-width `YYYY-MM-DDTHH:mm:ss.sssZ` (src/events/timestamps.ts bounds them to
 * plausible years), so sk ranges compare instants and answer the time-window questions. A dead letter's
 * sk is its key (one item per message); its owners' index items let `forget` find it.
 *
 * An activity item is its key and nothing else: its timestamp and messageId are read from the sk (items
 * written before this layout also carry them as `ts` and `messageId`, which are read the same way).
 * Everything a write-back reads of an id is in the id's partition, so one Query reads it (`TOUCH$` down
 * to `ACT#`: touches, the profile state, links, conversions, stopping at the newest activity item), and
 * activity items are kept small: about 115 bytes. Tables written before links and states moved into the
 * owner partition (`LINKS#<key>`, `PROFILE#<key>`) are moved by `migrate()` (`touchpoint setup`).
 *
 * A profile state's written traits and recommendation caches are deflated JSON (Binary attributes, see
 * `packed`), so a state item stays under 1 KB and a save costs one write unit; JSON strings, as items
 * written before carry them, read the same.
 *
 * Every write is checked against DynamoDB's 400 KB item limit first: an item too large is a
 * ValidationError (never retried: the engine dead-letters its message) instead of a rejected request.
 */

/** How long idempotency records and dead letters are kept (DynamoDB TTL deletes them lazily after). */
export const RECORD_TTL_SECONDS = 30 * 24 * 60 * 60;
/** Per-request time limit (the SDK retries up to MAX_ATTEMPTS inside the invocation's 4 s budget). */
export const REQUEST_TIMEOUT_MS = 1000;
export const MAX_ATTEMPTS = 3;
/** BatchWriteItem takes at most 25 requests; unprocessed ones are retried this many times. */
const BATCH_SIZE = 25;
/** BatchGetItem takes at most 100 keys. */
const BATCH_GET_SIZE = 100;
const BATCH_RETRIES = 8;

type Item = Record<string, unknown>;

/**
 * Maps an error thrown by the AWS SDK to touchpoint's error family, by the failure table in
 * src/errors/failures.ts: transient failures become RetryableError (Segment retries the event), a
 * missing table, permission or credentials ConfigurationError saying what to fix. Rejects and errors the
 * table does not know are returned as they are: the store's callers branch on the SDK's exception name
 * (ConditionalCheckFailedException is control flow in link() and deleteDirectTouches()), and the handler
 * retries anything that is not a touchpoint error, as the table's unknown rule says.
 */
export function mapDynamoDbError(error: unknown, table: string, operation: string): unknown {
  const action = knownFailureAction(error, 'dynamodb');
  if (action === undefined || action === 'reject') return error;
  const { name, code } = error as { name?: unknown; code?: unknown };
  const missingTable = name === 'ResourceNotFoundException' || code === 'ResourceNotFoundException';
  return toTouchpointError(error, 'dynamodb', `DynamoDB ${operation} on table "${table}"`, {
    configuration: missingTable
      ? 'the table does not exist in this account/region: run `touchpoint setup` or deploy template.yaml'
      : "grant the function's role access to the table",
  });
}

/** A DocumentClient with bounded timeouts and retries, for the given (or default) region and endpoint. */
export function createDocumentClient(client?: DynamoDBClient): DynamoDBDocumentClient {
  const base =
    client ??
    new DynamoDBClient({
      maxAttempts: MAX_ATTEMPTS,
      requestHandler: {
        requestTimeout: REQUEST_TIMEOUT_MS,
        connectionTimeout: REQUEST_TIMEOUT_MS,
        throwOnRequestTimeout: true,
      },
    });
  return DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } });
}

/**
 * Opens the store on an existing table (the handler never creates tables: `touchpoint setup` or
 * template.yaml does). Nothing is sent until the first call, so a cold start pays no round trip.
 */
export async function openDynamoDbStore(
  table: string,
  client?: DynamoDBDocumentClient,
): Promise<DynamoDbStore> {
  return new DynamoDbStore(table, client ?? createDocumentClient(), { ownsClient: client === undefined });
}

export interface DynamoDbStoreOptions {
  /** the clock TTL checks use; default `Date.now` */
  now?: () => number;
  /** destroy the client on close (it was created for this store); default false */
  ownsClient?: boolean;
}

/** The DynamoDB implementation of AttributionStore (see the table above). */
export class DynamoDbStore implements AttributionStore {
  /** Parallel Lambda invocations write the same profiles. */
  readonly concurrentWriters = true;
  private readonly now: () => number;
  private readonly ownsClient: boolean;
  private readonly links = new StoredLinks();
  /** what linksOf's Query read of each id, for the profileInputsOf and getProfileState that follow */
  private readonly reads: PartitionReads<PartitionRead>;

  constructor(
    readonly table: string,
    private readonly client: DynamoDBDocumentClient,
    options: DynamoDbStoreOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.ownsClient = options.ownsClient ?? false;
    this.reads = new PartitionReads(this.now);
  }

  async getMessage(messageId: string): Promise<MessageRecord | null> {
    const item = await this.get(messageKey(messageId));
    if (!item) return null;
    const steps = item.steps instanceof Set ? ([...item.steps] as MessageStep[]) : [];
    return { messageId, steps: steps.sort() };
  }

  async markStep(messageId: string, step: MessageStep): Promise<void> {
    await this.send('UpdateItem', () =>
      this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: messageKey(messageId),
          UpdateExpression: 'ADD steps :step SET #ttl = :ttl',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':step': new Set([step]), ':ttl': this.expiry() },
        }),
      ),
    );
  }

  async recordActivity(ownerKey: IdentityKey, timestamp: string, messageId: string): Promise<boolean> {
    // Conditional, so the write itself says whether the message came before: no read to ask it.
    return this.writing([ownerKey], () =>
      this.putIf({
        Item: { pk: ownerPk(ownerKey), sk: `${ACTIVITY_PREFIX}${timestamp}#${messageId}` },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async hasActivityBetween(
    ownerKey: IdentityKey,
    from: string,
    to: string,
    exceptMessageId: string,
  ): Promise<boolean> {
    let found = false;
    await this.query(
      {
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lo AND :hi',
        ExpressionAttributeValues: { ':pk': ownerPk(ownerKey), ':lo': `ACT#${from}`, ':hi': `ACT#${to}` },
      },
      (item) => {
        const { ts, messageId } = activityOfItem(item);
        found = messageId !== exceptMessageId && ts >= from && ts < to;
        return found;
      },
    );
    return found;
  }

  async newestActivity(keys: readonly IdentityKey[]): Promise<string | null> {
    let newest: string | null = null;
    for (const key of keys) {
      await this.query(
        {
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': ownerPk(key), ':prefix': ACTIVITY_PREFIX },
          ScanIndexForward: false,
          Limit: 1,
        },
        (item) => {
          const { ts } = activityOfItem(item);
          if (newest === null || ts > newest) newest = ts;
          return true;
        },
      );
    }
    return newest;
  }

  async putTouch(touch: Touch): Promise<void> {
    await this.writing([touch.ownerKey], () =>
      this.put({
        pk: ownerPk(touch.ownerKey),
        sk: `TOUCH#${touch.timestamp}#${touch.messageId}`,
        ts: touch.timestamp,
        messageId: touch.messageId,
        direct: touch.direct,
        touch: JSON.stringify(touch),
      }),
    );
  }

  async deleteDirectTouches(ownerKey: IdentityKey, after: string, until: string): Promise<number> {
    const doomed: Item[] = [];
    // '$' sorts right after '#', so the upper bound takes every message at exactly `until`.
    await this.query(
      {
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lo AND :hi',
        ExpressionAttributeValues: {
          ':pk': ownerPk(ownerKey),
          ':lo': `TOUCH#${after}`,
          ':hi': `TOUCH#${until}$`,
        },
      },
      (item) => {
        const ts = String(item.ts);
        if (item.direct === true && ts > after && ts <= until) doomed.push(item);
        return false;
      },
    );
    if (doomed.length === 0) return 0;
    return this.writing([ownerKey], () => this.deleteDirect(doomed));
  }

  /** Deletes these touch items while they are still Direct; returns how many it deleted. */
  private async deleteDirect(doomed: readonly Item[]): Promise<number> {
    let deleted = 0;
    for (const item of doomed) {
      try {
        const result = await this.send('DeleteItem', () =>
          this.client.send(
            new DeleteCommand({
              TableName: this.table,
              Key: { pk: item.pk, sk: item.sk },
              ConditionExpression: 'direct = :direct',
              ExpressionAttributeValues: { ':direct': true },
              ReturnValues: 'ALL_OLD',
            }),
          ),
        );
        if (result.Attributes) deleted++;
      } catch (error) {
        // Deleted meanwhile by a concurrent invocation, or no longer Direct: nothing to do.
        if (!isConditionFailure(error)) throw error;
      }
    }
    return deleted;
  }

  async touchesOf(keys: readonly IdentityKey[]): Promise<Touch[]> {
    return oncePerMessage(await this.itemsOf(keys, 'TOUCH#', touchOfItem));
  }

  async profileInputsOf(keys: readonly IdentityKey[]): Promise<ProfileInputs> {
    const touches: Touch[] = [];
    const conversions: Conversion[] = [];
    let newestActivity: string | null = null;
    for (const key of keys) {
      const inputs = this.reads.take(key, 'inputs') ?? (await this.readPartition(key)).inputs;
      touches.push(...inputs.touches);
      conversions.push(...inputs.conversions);
      if (newestActivity === null || (inputs.newestActivity ?? '') > newestActivity)
        newestActivity = inputs.newestActivity;
    }
    return { touches, conversions, newestActivity };
  }

  /**
   * Everything a write-back reads of one id, in one Query. `ACT#` < `CONV#` < `DEADLETTER#` < `LINK#` <
   * `STATE` < `TOUCH#`: read newest first, the sk range gives the id's touches, its profile state, its
   * links, its conversions (and its few dead-letter index items, skipped), then its newest activity, where
   * the read stops. However many events the id had, at most one page of PROFILE_PAGE_ITEMS activity items
   * is read.
   */
  private async readPartition(key: IdentityKey): Promise<PartitionRead & { links: IdentityLink[] }> {
    const touches: Touch[] = [];
    const conversions: Conversion[] = [];
    const links: IdentityLink[] = [];
    let state: ProfileState | null = null;
    let newestActivity: string | null = null;
    await this.query(
      {
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lo AND :hi',
        ExpressionAttributeValues: { ':pk': ownerPk(key), ':lo': ACTIVITY_PREFIX, ':hi': 'TOUCH$' },
        ScanIndexForward: false,
        Limit: PROFILE_PAGE_ITEMS,
      },
      (item) => {
        const sk = String(item.sk);
        if (sk.startsWith('TOUCH#')) touches.push(touchOfItem(item));
        else if (sk === STATE_SK) state = stateOfItem(item);
        else if (sk.startsWith(LINK_PREFIX)) links.push(linkOfItem(item));
        else if (sk.startsWith('CONV#')) conversions.push(conversionOfItem(item));
        else if (sk.startsWith(ACTIVITY_PREFIX)) {
          newestActivity = activityOfItem(item).ts;
          return true;
        }
        return false;
      },
    );
    return {
      inputs: { touches: oncePerMessage(touches), conversions: oncePerMessage(conversions), newestActivity },
      state,
      links,
    };
  }

  async link(link: IdentityLink): Promise<void> {
    if (link.from === link.to) return;
    // Both ends already stored, as early or earlier, by this container: the conditional puts would fail.
    if (this.links.stored(link.from, link.to, link.timestamp, this.now())) return;
    for (const [from, to] of [
      [link.from, link.to],
      [link.to, link.from],
    ] as const) {
      // When the condition fails, the stored link is already as early or earlier: keeping it is the point.
      await this.writing([from], () =>
        this.putIf(linkPut({ from, to, primary: link.primary, timestamp: link.timestamp })),
      );
    }
    this.links.remember(link.from, link.to, link.timestamp, this.now());
  }

  /**
   * Reads each id's whole partition (readPartition), not its links alone: a profile is resolved to be
   * computed, and the profileInputsOf and getProfileState that follow take the rest of what was read.
   */
  async linksOf(keys: readonly IdentityKey[]): Promise<IdentityLink[]> {
    const links: IdentityLink[] = [];
    for (const key of keys) {
      const pending = this.reads.begin(key);
      let read: (PartitionRead & { links: IdentityLink[] }) | undefined;
      try {
        read = await this.readPartition(key);
      } finally {
        this.reads.finish(key, pending, read && { inputs: read.inputs, state: read.state });
      }
      links.push(...read.links);
    }
    return links;
  }

  async getProfileState(target: IdentityKey): Promise<ProfileState | null> {
    const kept = this.reads.take(target, 'state');
    if (kept !== undefined) return kept;
    const item = await this.get(stateKey(target));
    return item ? stateOfItem(item) : null;
  }

  async saveWrittenTraits(
    target: IdentityKey,
    traits: Traits,
    at: string,
    writtenFor?: string,
    write?: WrittenBy,
  ): Promise<boolean> {
    const kept = writtenFor === undefined ? '' : ', writtenFor = :for';
    const by = write ? ', writtenBy = :by' : ' REMOVE writtenBy';
    const replacing = write?.replacing;
    const condition =
      replacing === undefined
        ? undefined
        : replacing === null
          ? 'attribute_not_exists(writtenBy) OR writtenBy = :by'
          : 'writtenBy IN (:replacing, :by)';
    try {
      await this.updateState(
        target,
        `SET writtenTraits = :traits, writtenAt = :at${kept}${by}`,
        {
          ':traits': packed(traits),
          ':at': at,
          ...(writtenFor === undefined ? {} : { ':for': writtenFor }),
          ...(write ? { ':by': write.by } : {}),
          ...(typeof replacing === 'string' ? { ':replacing': replacing } : {}),
        },
        condition,
      );
      return true;
    } catch (error) {
      if (condition && isConditionFailure(error)) return false;
      throw error;
    }
  }

  async markWrittenRaced(target: IdentityKey): Promise<void> {
    try {
      await this.updateState(
        target,
        'SET writtenFor = :for',
        { ':for': RACED_WRITE },
        'attribute_exists(pk)',
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error; // no state: nothing written to mark
    }
  }

  async saveRecommendations(target: IdentityKey, recommendations: CachedRecommendations): Promise<void> {
    await this.updateState(target, 'SET recommendations = :recommendations', {
      ':recommendations': packed(recommendations),
    });
  }

  async saveRelatedRecommendations(
    target: IdentityKey,
    recommendations: CachedRecommendations,
  ): Promise<void> {
    await this.updateState(target, 'SET relatedRecommendations = :recommendations', {
      ':recommendations': packed(recommendations),
    });
  }

  async recentProfiles(limit: number): Promise<RecentProfile[]> {
    if (limit <= 0) return [];
    // No index orders profile states by time (one would be a hot partition on every write-back), so
    // this scans the profile-state items and keeps the newest: an inspection query, never on delivery.
    const newest: RecentProfile[] = [];
    await this.scan(
      {
        FilterExpression: 'sk = :state AND attribute_exists(writtenAt)',
        ProjectionExpression: 'pk, writtenAt',
        ExpressionAttributeValues: { ':state': STATE_SK },
      },
      (items) => {
        for (const item of items) {
          const pk = String(item.pk);
          if (!pk.startsWith(OWNER_PREFIX) || typeof item.writtenAt !== 'string') continue;
          newest.push({ target: pk.slice(OWNER_PREFIX.length) as IdentityKey, writtenAt: item.writtenAt });
        }
        newest.sort((a, b) => (a.writtenAt < b.writtenAt ? 1 : a.writtenAt > b.writtenAt ? -1 : 0));
        newest.length = Math.min(newest.length, limit);
      },
    );
    return newest;
  }

  async addDeadLetter(entry: DeadLetter): Promise<void> {
    const ttl = this.expiry();
    await this.put({
      pk: DEAD_LETTER_PK,
      sk: entry.key,
      at: entry.at,
      messageId: entry.messageId,
      reason: entry.reason,
      payload: JSON.stringify(entry.payload ?? null),
      note: entry.note,
      owners: entry.owners.length > 0 ? new Set(entry.owners) : undefined,
      ttl,
    });
    for (const owner of entry.owners)
      await this.put({ pk: ownerPk(owner), sk: `${DEAD_LETTER_PREFIX}${entry.key}`, ttl });
  }

  async listDeadLetters(limit: number, filter?: DeadLetterFilter): Promise<DeadLetter[]> {
    const letters: DeadLetter[] = [];
    if (limit <= 0) return letters;
    // Keyed by message, not by time: the partition is read whole and ordered here. Dead letters expire
    // after 30 days, so it stays an inspection-sized read (never on the delivery path).
    await this.query(
      { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': DEAD_LETTER_PK } },
      (item) => {
        const letter = deadLetterOfItem(item);
        if (matchesDeadLetterFilter(letter, filter)) letters.push(letter);
        return false;
      },
    );
    return letters.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0)).slice(0, limit);
  }

  async removeDeadLetters(keys: readonly string[]): Promise<number> {
    let removed = 0;
    for (const key of keys) {
      const result = await this.send('DeleteItem', () =>
        this.client.send(
          new DeleteCommand({
            TableName: this.table,
            Key: { pk: DEAD_LETTER_PK, sk: key },
            ReturnValues: 'ALL_OLD',
          }),
        ),
      );
      if (!result.Attributes) continue;
      removed++;
      const owners =
        result.Attributes.owners instanceof Set ? [...(result.Attributes.owners as Set<string>)] : [];
      await this.deleteAll(
        owners.map((owner) => ({ pk: ownerPk(owner as IdentityKey), sk: `${DEAD_LETTER_PREFIX}${key}` })),
      );
    }
    return removed;
  }

  async forget(keys: readonly IdentityKey[]): Promise<void> {
    this.links.forget(keys);
    const doomed: Array<{ pk: unknown; sk: unknown }> = [];
    const touched = new Set<IdentityKey>(keys);
    for (const key of keys) {
      // The id's partition: activity, touches, conversions, its state, its ends of links (the other ends
      // go too), and its dead-letter index items (their dead letters go too).
      await this.query(
        { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': ownerPk(key) } },
        (item) => {
          doomed.push({ pk: item.pk, sk: item.sk });
          const sk = String(item.sk);
          if (sk.startsWith(DEAD_LETTER_PREFIX))
            doomed.push({ pk: DEAD_LETTER_PK, sk: sk.slice(DEAD_LETTER_PREFIX.length) });
          if (sk.startsWith(LINK_PREFIX)) {
            const other = item.to as IdentityKey;
            doomed.push({ pk: ownerPk(other), sk: `${LINK_PREFIX}${key}` });
            touched.add(other);
          }
          return false;
        },
        true,
      );
      // Its links and state where a table not yet migrated (see migrate) keeps them: a delete must not
      // leave them behind.
      await this.query(
        {
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `${OLD_LINKS_PREFIX}${key}` },
        },
        (item) => {
          doomed.push({ pk: item.pk, sk: item.sk });
          doomed.push({ pk: `${OLD_LINKS_PREFIX}${String(item.to)}`, sk: `${LINK_PREFIX}${key}` });
          return false;
        },
        true,
      );
      doomed.push({ pk: `${OLD_PROFILE_PREFIX}${key}`, sk: STATE_SK });
      doomed.push(recommenderKey(recommenderDeviceDoc(key)));
    }
    await this.writing([...touched], () => this.deleteAll(doomed));
  }

  /**
   * Moves a table written before links and profile states lived in their id's partition: every
   * `LINKS#<key>` item to `OWNER#<key>` / `LINK#<other>` (keeping the earlier timestamp when both exist)
   * and every `PROFILE#<key>` state to `OWNER#<key>` / `STATE` (a state already there was written since,
   * and is kept), deleting the old items. Idempotent, and safe to run while events are delivered; returns
   * how many of each it moved. A Scan of the whole table: `touchpoint setup` runs it.
   */
  async migrate(): Promise<{ links: number; states: number }> {
    const moved = { links: 0, states: 0 };
    const old: Item[] = [];
    await this.scan(
      {
        FilterExpression: 'begins_with(pk, :links) OR begins_with(pk, :profile)',
        ExpressionAttributeValues: { ':links': OLD_LINKS_PREFIX, ':profile': OLD_PROFILE_PREFIX },
      },
      (items) => old.push(...items),
    );
    for (const item of old) {
      const pk = String(item.pk);
      if (pk.startsWith(OLD_LINKS_PREFIX)) {
        await this.putIf(linkPut(linkOfItem(item)));
        moved.links++;
      } else {
        const key = pk.slice(OLD_PROFILE_PREFIX.length) as IdentityKey;
        const { pk: _pk, sk: _sk, ...attributes } = item;
        await this.putIf({
          Item: { ...stateKey(key), ...attributes },
          ConditionExpression: 'attribute_not_exists(pk)',
        });
        moved.states++;
      }
    }
    await this.deleteAll(old.map((item) => ({ pk: item.pk, sk: item.sk })));
    return moved;
  }

  async batch<T>(work: () => Promise<T>): Promise<T> {
    return work();
  }

  async close(): Promise<void> {
    // A client passed in may be shared (one per container); only a client made for this store is ours.
    if (this.ownsClient) this.client.destroy();
  }

  async readRecommenderDocs(keys: readonly string[]): Promise<Map<string, RecommenderDoc>> {
    const docs = new Map<string, RecommenderDoc>();
    const unique = [...new Set(keys)];
    for (let i = 0; i < unique.length; i += BATCH_GET_SIZE) {
      let wanted: Array<Record<string, unknown>> = unique.slice(i, i + BATCH_GET_SIZE).map(recommenderKey);
      for (let attempt = 0; wanted.length > 0; attempt++) {
        if (attempt > BATCH_RETRIES)
          throw new RetryableError(
            `DynamoDB kept ${wanted.length} reads unprocessed on table "${this.table}"`,
            {
              service: 'dynamodb',
            },
          );
        if (attempt > 0) await delay(Math.min(1000, 25 * 2 ** attempt));
        const request = { Keys: wanted, ConsistentRead: true };
        const result = await this.send('BatchGetItem', () =>
          this.client.send(new BatchGetCommand({ RequestItems: { [this.table]: request } })),
        );
        for (const item of result.Responses?.[this.table] ?? []) {
          const key = String(item.pk).slice('RECO#'.length);
          docs.set(key, { version: Number(item.version), value: JSON.parse(String(item.value)) as unknown });
        }
        wanted = result.UnprocessedKeys?.[this.table]?.Keys ?? [];
      }
    }
    return docs;
  }

  async writeRecommenderDocs(writes: readonly RecommenderWrite[]): Promise<'applied' | 'conflict'> {
    const items = writes.map((write) => ({
      Put: {
        TableName: this.table,
        Item: {
          ...recommenderKey(write.key),
          version: write.expectedVersion + 1,
          value: JSON.stringify(write.value),
          ...(write.expires ? { ttl: this.expiry() } : {}),
        },
        ...(write.expectedVersion === 0
          ? { ConditionExpression: 'attribute_not_exists(pk)' }
          : {
              ConditionExpression: 'version = :version',
              ExpressionAttributeValues: { ':version': write.expectedVersion },
            }),
      },
    }));
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
      return 'applied';
    } catch (error) {
      const reasons = (error as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons;
      if (!(error instanceof Error && error.name === 'TransactionCanceledException') || !reasons)
        throw mapDynamoDbError(error, this.table, 'TransactWriteItems');
      // A changed document, or another transaction on the same items right now: re-read and retry.
      const raced = ['None', 'ConditionalCheckFailed', 'TransactionConflict'];
      if (reasons.every((reason) => raced.includes(reason.Code ?? 'None'))) return 'conflict';
      throw new RetryableError(
        `DynamoDB TransactWriteItems on table "${this.table}" was cancelled: ${reasons.map((reason) => reason.Code).join(',')}`,
        { cause: error, service: 'dynamodb' },
      );
    }
  }

  async putConversion(conversion: Conversion): Promise<void> {
    // When the condition fails, it was stored before (a redelivery): keep it, and the credit last sent.
    await this.writing([conversion.ownerKey], () =>
      this.putIf({
        Item: {
          ...conversionKey(conversion),
          conversion: JSON.stringify({ ...conversion, credited: null }),
          creditVersion: conversion.credited?.version ?? 0,
          ...(conversion.credited ? { creditMessageId: conversion.credited.messageId } : {}),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async conversionsOf(keys: readonly IdentityKey[]): Promise<Conversion[]> {
    return oncePerMessage(await this.itemsOf(keys, 'CONV#', conversionOfItem));
  }

  async saveConversionCredit(conversion: Conversion, mark: CreditMark): Promise<boolean> {
    try {
      await this.writing([conversion.ownerKey], () =>
        this.send('UpdateItem', () =>
          this.client.send(
            new UpdateCommand({
              TableName: this.table,
              Key: conversionKey(conversion),
              UpdateExpression: 'SET creditVersion = :version, creditMessageId = :messageId',
              ConditionExpression: 'creditVersion = :previous',
              ExpressionAttributeValues: {
                ':version': mark.version,
                ':messageId': mark.messageId,
                ':previous': conversion.credited?.version ?? 0,
              },
            }),
          ),
        ),
      );
      return true;
    } catch (error) {
      // Another invocation recorded a credit since this one read the conversion (or it was forgotten).
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async listConversions(): Promise<Conversion[]> {
    // An offline report's Scan over the whole table (like recentProfiles): never on the delivery path.
    const conversions: Conversion[] = [];
    await this.scan(
      {
        FilterExpression: 'begins_with(sk, :prefix) AND begins_with(pk, :owner)',
        ExpressionAttributeValues: { ':prefix': 'CONV#', ':owner': 'OWNER#' },
      },
      (items) => {
        for (const item of items) conversions.push(conversionOfItem(item));
      },
    );
    return oncePerMessage(conversions);
  }

  // ---- plumbing ------------------------------------------------------------------------------------

  /** TTL for records that expire, in epoch seconds. */
  private expiry(): number {
    return Math.floor(this.now() / 1000) + RECORD_TTL_SECONDS;
  }

  /** DynamoDB deletes expired items lazily (within days), so reads skip them themselves. */
  private alive(item: Item): boolean {
    return typeof item.ttl !== 'number' || item.ttl > this.now() / 1000;
  }

  private async send<T>(operation: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw mapDynamoDbError(error, this.table, operation);
    }
  }

  private async get(key: { pk: string; sk: string }): Promise<Item | null> {
    const result = await this.send('GetItem', () =>
      this.client.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true })),
    );
    return result.Item && this.alive(result.Item) ? result.Item : null;
  }

  private async put(item: Item): Promise<void> {
    const bytes = itemBytes(item);
    if (bytes > MAX_ITEM_BYTES) {
      throw new ValidationError(
        `a ${String(item.sk).split('#')[0]} item of ${Math.ceil(bytes / 1024)} KB is over DynamoDB's 400 KB item limit`,
        { service: 'dynamodb' },
      );
    }
    await this.send('PutItem', () => this.client.send(new PutCommand({ TableName: this.table, Item: item })));
  }

  /** A conditional PutItem; false when its condition failed (nothing was written). */
  private async putIf(input: Omit<PutCommandInput, 'TableName'>): Promise<boolean> {
    try {
      await this.send('PutItem', () => this.client.send(new PutCommand({ ...input, TableName: this.table })));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** An UpdateItem of a profile's state item. */
  private async updateState(
    target: IdentityKey,
    expression: string,
    values: Record<string, unknown>,
    condition?: string,
  ): Promise<void> {
    await this.writing([target], () =>
      this.send('UpdateItem', () =>
        this.client.send(
          new UpdateCommand({
            TableName: this.table,
            Key: stateKey(target),
            UpdateExpression: expression,
            ExpressionAttributeValues: values,
            ...(condition ? { ConditionExpression: condition } : {}),
          }),
        ),
      ),
    );
  }

  /**
   * Runs a write to the given ids' partitions, then drops what was read of them (PartitionReads): also
   * when it failed, since a write that timed out may still have landed.
   */
  private async writing<T>(keys: readonly IdentityKey[], write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } finally {
      for (const key of keys) this.reads.written(key);
    }
  }

  /**
   * Runs a query through every page (strongly consistent), handing each live item to `visit` until it
   * returns true. `includeExpired` is for deletes, which must reach expired items too.
   */
  private async query(
    input: Omit<QueryCommandInput, 'TableName'>,
    visit: (item: Item) => boolean,
    includeExpired = false,
  ): Promise<void> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.send('Query', () =>
        this.client.send(
          new QueryCommand({
            ...input,
            TableName: this.table,
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      for (const item of page.Items ?? []) {
        if ((includeExpired || this.alive(item)) && visit(item)) return;
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }

  /** Every live item whose sk starts with `prefix`, in each key's partition, as `read` makes it. */
  private async itemsOf<T>(
    keys: readonly IdentityKey[],
    prefix: string,
    read: (item: Item) => T,
  ): Promise<T[]> {
    const found: T[] = [];
    for (const key of keys) {
      await this.query(
        {
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': ownerPk(key), ':prefix': prefix },
        },
        (item) => {
          found.push(read(item));
          return false;
        },
      );
    }
    return found;
  }

  /** Scans the whole table through every page, handing each page's items to `visit` (inspection tools only). */
  private async scan(
    input: Omit<ScanCommandInput, 'TableName' | 'ExclusiveStartKey'>,
    visit: (items: Item[]) => void,
  ): Promise<void> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.send('Scan', () =>
        this.client.send(new ScanCommand({ ...input, TableName: this.table, ExclusiveStartKey: startKey })),
      );
      visit(page.Items ?? []);
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }

  /** Deletes items in BatchWriteItem chunks of 25, retrying what DynamoDB left unprocessed. */
  private async deleteAll(keys: ReadonlyArray<{ pk: unknown; sk: unknown }>): Promise<void> {
    const unique = [
      ...new Map(keys.map((key) => [`${String(key.pk)}\u0000${String(key.sk)}`, key])).values(),
    ];
    for (let i = 0; i < unique.length; i += BATCH_SIZE) {
      let requests: Array<{ DeleteRequest: { Key: Record<string, unknown> } }> = unique
        .slice(i, i + BATCH_SIZE)
        .map((key) => ({ DeleteRequest: { Key: key } }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt > BATCH_RETRIES) {
          throw new RetryableError(
            `DynamoDB kept ${requests.length} deletes unprocessed on table "${this.table}"`,
            { service: 'dynamodb' },
          );
        }
        if (attempt > 0) await delay(Math.min(1000, 25 * 2 ** attempt));
        const batch = requests;
        const result = await this.send('BatchWriteItem', () =>
          this.client.send(new BatchWriteCommand({ RequestItems: { [this.table]: batch } })),
        );
        requests = (result.UnprocessedItems?.[this.table] ?? []).flatMap((request) =>
          request.DeleteRequest?.Key ? [{ DeleteRequest: { Key: request.DeleteRequest.Key } }] : [],
        );
      }
    }
  }
}

/** Links this container stored, kept for LINK_CACHE_MS and at most LINK_CACHE_SIZE of them. */
export const LINK_CACHE_MS = 10 * 60_000;
const LINK_CACHE_SIZE = 10_000;

/**
 * The links this store (one per container) wrote both ends of, with the timestamp stored: an identified
 * event repeats its anonymousId/userId link on every event, and a link once stored only changes to an
 * earlier timestamp, so a repeat at the same or a later time writes nothing. Entries expire after
 * LINK_CACHE_MS: a Segment `delete` handled by another container removes the link from the table but
 * not from this cache, so for at most that long this container would not store the link again.
 */
class StoredLinks {
  private readonly entries = new Map<
    string,
    { ends: [IdentityKey, IdentityKey]; timestamp: string; at: number }
  >();

  /** True when both ends are known stored at `timestamp` or earlier. */
  stored(a: IdentityKey, b: IdentityKey, timestamp: string, now: number): boolean {
    const entry = this.entries.get(pairKey(a, b));
    return entry !== undefined && now - entry.at < LINK_CACHE_MS && entry.timestamp <= timestamp;
  }

  /** Both ends were just stored at `timestamp`, or found as early or earlier. */
  remember(a: IdentityKey, b: IdentityKey, timestamp: string, now: number): void {
    const key = pairKey(a, b);
    const previous = this.entries.get(key);
    const known = previous !== undefined && now - previous.at < LINK_CACHE_MS;
    const earliest = known && previous.timestamp < timestamp ? previous.timestamp : timestamp;
    this.entries.delete(key); // re-inserted last: the oldest entry is the first one evicted
    this.entries.set(key, { ends: [a, b], timestamp: earliest, at: now });
    if (this.entries.size > LINK_CACHE_SIZE) this.entries.delete(this.entries.keys().next().value as string);
  }

  forget(keys: readonly IdentityKey[]): void {
    const doomed = new Set<IdentityKey>(keys);
    for (const [key, { ends }] of this.entries) {
      if (doomed.has(ends[0]) || doomed.has(ends[1])) this.entries.delete(key);
    }
  }
}

/** One key per pair of ids, either way round (JSON keeps ids with any character apart). */
const pairKey = (a: IdentityKey, b: IdentityKey): string => JSON.stringify(a < b ? [a, b] : [b, a]);

/** Attempts (one per DESCRIBE_INTERVAL_MS) to wait for a new table to become ACTIVE. */
const DESCRIBE_ATTEMPTS = 120;
const DESCRIBE_INTERVAL_MS = 500;

/**
 * Creates the table (on-demand billing, `pk`/`sk`) and enables TTL on `ttl`, waiting until it is ACTIVE.
 * Idempotent: an existing table and an already enabled TTL are fine. Used by `touchpoint setup` and tests;
 * the Lambda handler never creates tables (template.yaml does).
 */
export async function createTable(client: DynamoDBClient, table: string): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
    );
  } catch (error) {
    if (!(error instanceof Error && error.name === 'ResourceInUseException'))
      throw mapDynamoDbError(error, table, 'CreateTable');
  }
  for (let attempt = 0; ; attempt++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
    if (Table?.TableStatus === 'ACTIVE') break;
    if (attempt >= DESCRIBE_ATTEMPTS)
      throw new RetryableError(`table "${table}" is still ${Table?.TableStatus ?? 'unknown'}`);
    await delay(DESCRIBE_INTERVAL_MS);
  }
  const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: table }));
  const status = ttl.TimeToLiveDescription?.TimeToLiveStatus;
  if (status === 'ENABLED' || status === 'ENABLING') return;
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: table,
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
    }),
  );
}

/** DynamoDB's item size limit: attribute names plus values, in bytes. */
export const MAX_ITEM_BYTES = 400 * 1024;

/**
 * The size DynamoDB counts for an item (UTF-8 names and strings, numbers up to 21 bytes, binary, sets and
 * booleans), rounded up: what this store writes is flat strings, numbers, binary, booleans and string sets.
 */
export function itemBytes(item: Item): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined) continue;
    bytes += Buffer.byteLength(name) + valueBytes(value);
  }
  return bytes;
}

function valueBytes(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number') return 21;
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) {
    let bytes = 3;
    for (const member of value as Set<unknown>) bytes += valueBytes(member);
    return bytes;
  }
  if (value !== null && typeof value === 'object') return 3 + itemBytes(value as Item);
  return 1; // booleans, null
}

const DEAD_LETTER_PK = 'DEADLETTER';
const DEAD_LETTER_PREFIX = 'DEADLETTER#';

/** A dead letter as stored (items written before dead letters were keyed have their sk as key). */
function deadLetterOfItem(item: Item): DeadLetter {
  return {
    at: String(item.at),
    key: String(item.sk),
    messageId: typeof item.messageId === 'string' ? item.messageId : null,
    reason: String(item.reason),
    payload: JSON.parse(String(item.payload)) as unknown,
    note: typeof item.note === 'string' ? item.note : null,
    owners: item.owners instanceof Set ? ([...(item.owners as Set<string>)] as IdentityKey[]) : [],
  };
}

const messageKey = (messageId: string) => ({ pk: `MSG#${messageId}`, sk: 'MSG' });
const STATE_SK = 'STATE';
const stateKey = (key: IdentityKey) => ({ pk: ownerPk(key), sk: STATE_SK });
/** Where links and profile states were kept before they moved into their id's partition (see migrate). */
const OLD_LINKS_PREFIX = 'LINKS#';
const OLD_PROFILE_PREFIX = 'PROFILE#';

/** A profile state as stored. */
function stateOfItem(item: Item): ProfileState {
  return {
    writtenTraits: unpacked<Traits>(item.writtenTraits),
    writtenAt: typeof item.writtenAt === 'string' ? item.writtenAt : null,
    recommendations: unpacked<CachedRecommendations>(item.recommendations),
    ...(typeof item.writtenFor === 'string' ? { writtenFor: item.writtenFor } : {}),
    ...(typeof item.writtenBy === 'string' ? { writtenBy: item.writtenBy } : {}),
    relatedRecommendations: unpacked<CachedRecommendations>(item.relatedRecommendations),
  };
}

/**
 * A profile state's documents (written traits, recommendation caches) as raw-deflated JSON in a Binary
 * attribute. An UpdateItem bills the larger of the item's sizes before and after, a write unit per KB: a
 * state item of generated traits is 1.7-2.1 KB as JSON text (two units per save) and 0.7-0.85 KB deflated
 * (one), for about 45 us of CPU per save.
 */
function packed(document: unknown): Uint8Array {
  return deflateRawSync(JSON.stringify(document));
}

/** A state document as `packed` wrote it, or as JSON text (items written before); null when absent. */
function unpacked<T>(attribute: unknown): T | null {
  if (typeof attribute === 'string') return JSON.parse(attribute) as T;
  if (attribute instanceof Uint8Array) return JSON.parse(inflateRawSync(attribute).toString('utf8')) as T;
  return null;
}
const recommenderKey = (key: string) => ({ pk: `RECO#${key}`, sk: 'DOC' });
const OWNER_PREFIX = 'OWNER#';
const ownerPk = (key: IdentityKey) => `${OWNER_PREFIX}${key}`;
const LINK_PREFIX = 'LINK#';

/** One end of a link as stored, seen from `from`. */
function linkOfItem(item: Item): IdentityLink {
  return {
    from: item.from as IdentityKey,
    to: item.to as IdentityKey,
    primary: item.primary as IdentityKey,
    timestamp: String(item.ts),
  };
}

/** Stores one end of a link unless the end stored is as early or earlier (a failed condition keeps it). */
function linkPut(link: IdentityLink): Omit<PutCommandInput, 'TableName'> {
  return {
    Item: {
      pk: ownerPk(link.from),
      sk: `${LINK_PREFIX}${link.to}`,
      from: link.from,
      to: link.to,
      primary: link.primary,
      ts: link.timestamp,
    },
    ConditionExpression: 'attribute_not_exists(pk) OR #ts > :ts',
    ExpressionAttributeNames: { '#ts': 'ts' },
    ExpressionAttributeValues: { ':ts': link.timestamp },
  };
}

/** What a write-back reads of one id besides its links (see readPartition). */
type ProfileInputs = { touches: Touch[]; conversions: Conversion[]; newestActivity: string | null };
type PartitionRead = { inputs: ProfileInputs; state: ProfileState | null };
const conversionKey = (conversion: Pick<Conversion, 'ownerKey' | 'timestamp' | 'messageId'>) => ({
  pk: ownerPk(conversion.ownerKey),
  sk: `CONV#${conversion.timestamp}#${conversion.messageId}`,
});

const ACTIVITY_PREFIX = 'ACT#';
/**
 * Items per page of readPartition's Query. A page is billed for every item it reads, also the activity
 * items past the newest one (about 115 bytes each), and the state item is up to 1 KB: on the budget test's
 * stream 16 gave 4.36 read units per event, 32 gave 4.44 and 8 gave 4.42 (more pages).
 */
const PROFILE_PAGE_ITEMS = 16;
/** The length of the fixed-width ISO timestamps in sort keys (`YYYY-MM-DDTHH:mm:ss.sssZ`). */
const TIMESTAMP_LENGTH = 24;

/**
 * An activity item's timestamp and messageId, from its sk `ACT#<ts>#<messageId>` (the timestamp is fixed
 * width, so a messageId with `#` in it stays whole); items written with `ts` and `messageId` attributes
 * before activity items were keys only read the same.
 */
function activityOfItem(item: Item): { ts: string; messageId: string } {
  const sk = String(item.sk);
  const start = ACTIVITY_PREFIX.length;
  return {
    ts: typeof item.ts === 'string' ? item.ts : sk.slice(start, start + TIMESTAMP_LENGTH),
    messageId: typeof item.messageId === 'string' ? item.messageId : sk.slice(start + TIMESTAMP_LENGTH + 1),
  };
}

function touchOfItem(item: Item): Touch {
  return JSON.parse(String(item.touch)) as Touch;
}

function conversionOfItem(item: Item): Conversion {
  const conversion = JSON.parse(String(item.conversion)) as Conversion;
  const credited =
    typeof item.creditMessageId === 'string'
      ? { messageId: item.creditMessageId, version: Number(item.creditVersion) }
      : null;
  return { ...conversion, credited };
}

/**
 * One touch or conversion per messageId. Their sort keys hold the timestamp, so a message sent again with
 * another `timestamp` (a client's retry that Segment did not deduplicate gets a new one) is a second
 * item. Reads keep one: a conversion whose credit was sent, else the earliest; the SQLite and memory
 * stores key these by messageId alone and keep one as they write.
 */
function oncePerMessage<T extends { messageId: string; timestamp: string; credited?: unknown }>(
  items: T[],
): T[] {
  const kept = new Map<string, T>();
  for (const item of items) {
    const other = kept.get(item.messageId);
    const credited = item.credited != null;
    const better =
      other === undefined ||
      (credited && other.credited == null) ||
      (credited === (other.credited != null) && item.timestamp < other.timestamp);
    if (better) kept.set(item.messageId, item);
  }
  return kept.size === items.length ? items : [...kept.values()];
}

function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
