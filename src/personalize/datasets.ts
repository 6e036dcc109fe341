import {
  PutItemsCommand,
  PutUsersCommand,
  type PersonalizeEventsClient,
} from '@aws-sdk/client-personalize-events';
import { describeError, RetryableError } from '../errors';
import type { SegmentMessage } from '../events';
import type { Logger } from '../log';
import { ConfigurationBreaker, classifyError } from './errors';
import { camelCase, fitJson, itemIdOf, productsOf, type MappingOptions } from './mapping';

/** PutUsers / PutItems limits (API reference, personalize-events 2018-03-22). */
export const DATASET_LIMITS = Object.freeze({
  perCall: 10,
  id: 256,
  userProperties: 24_000,
  itemProperties: 32_000,
});

/** One user or item as PutUsers / PutItems take it: an id and its properties as a JSON object. */
export interface DatasetRecord {
  id: string;
  properties: string;
}

type Scalar = string | number | boolean;

/**
 * The users the window's identify calls describe: the allow-listed traits (camelCase keys, as the Users
 * schema names its fields), merged per userId in event order so the newest value wins; users without
 * any allowed trait, or with an id over 256 characters, are left out.
 */
export function usersOf(messages: readonly SegmentMessage[], userTraits: readonly string[]): DatasetRecord[] {
  const users = new Map<string, Map<string, Scalar>>();
  for (const message of byTime(messages)) {
    if (message.type !== 'identify' || !message.userId || message.userId.length > DATASET_LIMITS.id) continue;
    const traits = message.traits ?? {};
    const fields = users.get(message.userId) ?? new Map<string, Scalar>();
    for (const name of userTraits) {
      const value = scalar(traits[name]);
      if (value !== undefined) fields.set(camelCase(name), value);
    }
    if (fields.size > 0) users.set(message.userId, fields);
  }
  return records(users, DATASET_LIMITS.userProperties);
}

/**
 * The items the window's catalog events describe: the allow-listed product properties of each product
 * (the event's properties, or each `products[]` entry), merged per itemId in event order.
 */
export function itemsOf(
  messages: readonly SegmentMessage[],
  itemEvents: readonly string[],
  itemProperties: readonly string[],
  mapping: MappingOptions,
): DatasetRecord[] {
  const items = new Map<string, Map<string, Scalar>>();
  for (const message of byTime(messages)) {
    if (message.type !== 'track' || !itemEvents.includes(message.event)) continue;
    const properties = message.properties ?? {};
    const products = productsOf(properties);
    const described =
      products.length > 0
        ? products.map((product) => ({ product, isProduct: true }))
        : [{ product: properties, isProduct: false }];
    for (const { product, isProduct } of described) {
      const itemId = itemIdOf(isProduct ? product : message, mapping.itemIdPaths, isProduct);
      if (itemId === null || itemId.length > DATASET_LIMITS.id) continue;
      const fields = items.get(itemId) ?? new Map<string, Scalar>();
      for (const name of itemProperties) {
        const value = scalar(product[name]);
        if (value !== undefined) fields.set(camelCase(name), value);
      }
      if (fields.size > 0) items.set(itemId, fields);
    }
  }
  return records(items, DATASET_LIMITS.itemProperties);
}

export interface PersonalizeDatasetsOptions {
  client: PersonalizeEventsClient;
  usersDatasetArn: string | null;
  itemsDatasetArn: string | null;
  userTraits: readonly string[];
  itemEvents: readonly string[];
  itemProperties: readonly string[];
  mapping: MappingOptions;
  log: Logger;
  /** how long calls pause after a configuration error (default 60 s) */
  configurationPauseMs?: number;
}

/** Records this container sent, so an unchanged user or item is not sent again (oldest forgotten first). */
const REMEMBERED_RECORDS = 20_000;

type Kind = 'users' | 'items';

/**
 * Keeps Personalize's Users and Items datasets current from the same messages PutEvents sees: PutUsers
 * and PutItems in calls of at most 10 records, each record once per window and only when it changed
 * since this container last sent it. Failures follow the error table like PutEvents: transient ones
 * throw RetryableError (before any PutEvents of the window, so the redelivery repeats nothing twice);
 * a record Personalize refuses (InvalidInput, e.g. a field the schema lacks) is logged and dropped,
 * since the events that carried it are still good; a configuration error pauses these calls.
 */
export class PersonalizeDatasets {
  private readonly sent = new Map<string, string>();
  private readonly breakers: Record<Kind, ConfigurationBreaker>;

  constructor(private readonly options: PersonalizeDatasetsOptions) {
    const pause = options.configurationPauseMs ?? 60_000;
    this.breakers = { users: new ConfigurationBreaker(pause), items: new ConfigurationBreaker(pause) };
  }

  async sync(messages: readonly SegmentMessage[], deadlineAt: number): Promise<void> {
    const { usersDatasetArn, itemsDatasetArn, userTraits, itemEvents, itemProperties, mapping } =
      this.options;
    if (usersDatasetArn) await this.put('users', usersDatasetArn, usersOf(messages, userTraits), deadlineAt);
    if (itemsDatasetArn)
      await this.put(
        'items',
        itemsDatasetArn,
        itemsOf(messages, itemEvents, itemProperties, mapping),
        deadlineAt,
      );
  }

  private async put(kind: Kind, datasetArn: string, all: DatasetRecord[], deadlineAt: number): Promise<void> {
    const changed = all.filter((record) => this.sent.get(`${kind}:${record.id}`) !== record.properties);
    if (changed.length === 0 || this.breakers[kind].openReason()) return;
    for (let start = 0; start < changed.length; start += DATASET_LIMITS.perCall)
      await this.send(kind, datasetArn, changed.slice(start, start + DATASET_LIMITS.perCall), deadlineAt);
  }

  /** One call; a refused call of several records is resent record by record, so only the bad one is dropped. */
  private async send(
    kind: Kind,
    datasetArn: string,
    batch: DatasetRecord[],
    deadlineAt: number,
  ): Promise<void> {
    const { client, log } = this.options;
    const operation = kind === 'users' ? 'PutUsers' : 'PutItems';
    const remaining = deadlineAt - Date.now();
    if (remaining <= 0)
      throw new RetryableError(`no time left in the invocation budget for ${operation}`, {
        service: 'personalize',
      });
    const signal = { abortSignal: AbortSignal.timeout(remaining) };
    try {
      if (kind === 'users')
        await client.send(
          new PutUsersCommand({
            datasetArn,
            users: batch.map(({ id, properties }) => ({ userId: id, properties })),
          }),
          signal,
        );
      else
        await client.send(
          new PutItemsCommand({
            datasetArn,
            items: batch.map(({ id, properties }) => ({ itemId: id, properties })),
          }),
          signal,
        );
      for (const record of batch) this.remember(`${kind}:${record.id}`, record.properties);
    } catch (error) {
      const action = classifyError(error);
      const reason = describeError(error);
      if (action === 'retry') {
        log.warn(`personalize_${kind}_failed`, { reason, records: batch.length });
        throw new RetryableError(`Personalize ${operation} failed transiently: ${reason}`, {
          cause: error,
          service: 'personalize',
        });
      }
      if (action === 'configuration') {
        const variable = kind === 'users' ? 'PERSONALIZE_USERS_DATASET_ARN' : 'PERSONALIZE_ITEMS_DATASET_ARN';
        log.error('personalize_configuration_error', {
          operation,
          reason: `${reason} (check ${variable}, region, IAM personalize:${operation})`,
        });
        this.breakers[kind].trip(reason);
        return;
      }
      if (batch.length > 1) {
        for (const record of batch) await this.send(kind, datasetArn, [record], deadlineAt);
        return;
      }
      // The userId stays out of the log (it may be personal); an itemId names a product.
      log.warn(`personalize_${kind}_rejected`, {
        reason,
        ...(kind === 'items' ? { itemId: batch[0]?.id } : {}),
      });
    }
  }

  private remember(key: string, properties: string): void {
    this.sent.delete(key);
    this.sent.set(key, properties);
    if (this.sent.size > REMEMBERED_RECORDS) {
      const oldest = this.sent.keys().next().value;
      if (oldest !== undefined) this.sent.delete(oldest);
    }
  }
}

function scalar(value: unknown): Scalar | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  return undefined;
}

/** The messages in event order (stable for equal timestamps), so the newest value wins a merge. */
function byTime(messages: readonly SegmentMessage[]): SegmentMessage[] {
  return [...messages].sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0));
}

function records(byId: Map<string, Map<string, Scalar>>, maxProperties: number): DatasetRecord[] {
  const result: DatasetRecord[] = [];
  for (const [id, fields] of byId) {
    const properties = fitJson([...fields], maxProperties);
    if (properties !== undefined) result.push({ id, properties });
  }
  return result;
}
