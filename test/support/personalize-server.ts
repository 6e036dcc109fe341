import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { startLocalServer, type LocalServer } from './local-server';

/** A PutEvents request body as it arrives on the wire. */
export interface WireEvent {
  eventId?: string;
  eventType?: string;
  sentAt?: number;
  itemId?: string;
  eventValue?: number;
  properties?: string;
  recommendationId?: string;
  impression?: string[];
  metricAttribution?: { eventAttributionSource?: string };
}

export interface PutEventsBody {
  trackingId?: string;
  sessionId?: string;
  userId?: string;
  eventList?: WireEvent[];
}

export interface GetRecommendationsBody {
  campaignArn?: string;
  recommenderArn?: string;
  userId?: string;
  itemId?: string;
  numResults?: number;
  filterArn?: string;
  filterValues?: Record<string, string>;
  context?: Record<string, string>;
}

/** A PutUsers or PutItems body: `users: [{userId, properties}]` or `items: [{itemId, properties}]`. */
export interface PutDatasetBody {
  datasetArn?: string;
  users?: Array<{ userId?: string; properties?: string }>;
  items?: Array<{ itemId?: string; properties?: string }>;
}

export type Operation = 'events' | 'recommendations' | 'users' | 'items';

/** A scripted answer: an error (status + `x-amzn-errortype`) or holding the request unanswered. */
export type Scripted = { status: number; type: string; message?: string } | { hold: true };

/**
 * A local stand-in for Amazon Personalize's data plane on 127.0.0.1 and a free port, speaking the
 * restJson1 wire protocol the real SDK clients use: `POST /events` (PutEvents) and
 * `POST /recommendations` (GetRecommendations), errors as a status with the `x-amzn-errortype` header.
 * Like the real service it checks PutEvents limits and answers InvalidInputException on a violation;
 * every violation is also recorded so tests can assert that none ever happened.
 */
export class FakePersonalize {
  readonly putEvents: PutEventsBody[] = [];
  readonly getRecommendations: GetRecommendationsBody[] = [];
  /** accepted PutUsers / PutItems bodies */
  readonly putUsers: PutDatasetBody[] = [];
  readonly putItems: PutDatasetBody[] = [];
  /** every request, answered or not */
  readonly attempts: Array<{ operation: Operation; headers: IncomingHttpHeaders }> = [];
  readonly violations: string[] = [];
  /** answers for the next requests of an operation, in order; then normal answers */
  readonly script: Record<Operation, Scripted[]> = { events: [], recommendations: [], users: [], items: [] };
  /** the items a GetRecommendations returns for a userId */
  recommend: (request: GetRecommendationsBody) => string[] = (request) =>
    Array.from({ length: request.numResults ?? 25 }, (_, i) => `item-${i + 1}`);
  /** a service-side rejection (InvalidInputException) for bodies the tests choose, e.g. an unknown item */
  rejectPutEvents: (body: PutEventsBody) => string | null = () => null;
  /** the same for one user or item record (e.g. a property the dataset schema lacks) */
  rejectRecord: (record: { id: string; properties: Record<string, unknown> }) => string | null = () => null;
  private held: ServerResponse[] = [];
  private server: LocalServer | undefined;
  private recommendationCount = 0;

  async start(): Promise<string> {
    this.server = await startLocalServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const path = (request.url ?? '').split('?')[0];
        const operations: Record<string, Operation> = {
          '/events': 'events',
          '/recommendations': 'recommendations',
          '/users': 'users',
          '/items': 'items',
        };
        const operation: Operation | null = operations[path ?? ''] ?? null;
        if (request.method !== 'POST' || operation === null) {
          response.writeHead(404, { 'x-amzn-errortype': 'UnknownOperationException' }).end('{}');
          return;
        }
        this.attempts.push({ operation, headers: request.headers });
        const scripted = this.script[operation].shift();
        if (scripted && 'hold' in scripted) {
          this.held.push(response);
          return;
        }
        if (scripted) {
          this.error(response, scripted.status, scripted.type, scripted.message ?? scripted.type);
          return;
        }
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
        if (operation === 'events') this.answerPutEvents(body as PutEventsBody, response);
        else if (operation === 'recommendations')
          this.answerRecommendations(body as GetRecommendationsBody, response);
        else this.answerPutDataset(operation, body as PutDatasetBody, response);
      });
    });
    return this.server.url;
  }

  /** Number of answered-or-not requests per operation. */
  count(operation: Operation): number {
    return this.attempts.filter((attempt) => attempt.operation === operation).length;
  }

  reset(): void {
    this.putEvents.length = 0;
    this.getRecommendations.length = 0;
    this.putUsers.length = 0;
    this.putItems.length = 0;
    this.attempts.length = 0;
    this.violations.length = 0;
    this.script.events.length = 0;
    this.script.recommendations.length = 0;
    this.script.users.length = 0;
    this.script.items.length = 0;
    this.recommendationCount = 0;
  }

  async stop(): Promise<void> {
    for (const response of this.held) response.destroy();
    this.held = [];
    await this.server?.close();
  }

  private answerPutEvents(body: PutEventsBody, response: ServerResponse): void {
    const problems = putEventsViolations(body);
    if (problems.length > 0) {
      this.violations.push(...problems);
      this.error(response, 400, 'InvalidInputException', problems.join('; '));
      return;
    }
    const rejection = this.rejectPutEvents(body);
    if (rejection) {
      this.error(response, 400, 'InvalidInputException', rejection);
      return;
    }
    this.putEvents.push(body);
    response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  }

  private answerPutDataset(kind: 'users' | 'items', body: PutDatasetBody, response: ServerResponse): void {
    const problems = putDatasetViolations(kind, body);
    if (problems.length > 0) {
      this.violations.push(...problems);
      this.error(response, 400, 'InvalidInputException', problems.join('; '));
      return;
    }
    for (const record of kind === 'users' ? (body.users ?? []) : (body.items ?? [])) {
      const id = 'userId' in record ? record.userId : (record as { itemId?: string }).itemId;
      const rejection = this.rejectRecord({
        id: id ?? '',
        properties: JSON.parse(record.properties ?? '{}') as Record<string, unknown>,
      });
      if (rejection) {
        this.error(response, 400, 'InvalidInputException', rejection);
        return;
      }
    }
    (kind === 'users' ? this.putUsers : this.putItems).push(body);
    response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  }

  private answerRecommendations(body: GetRecommendationsBody, response: ServerResponse): void {
    // A related-items recipe (SIMS, "more like X") needs the itemId; userId is then optional.
    const ids = [body.userId, body.itemId].filter((id) => id !== undefined);
    if (
      !body.campaignArn === !body.recommenderArn ||
      ids.length === 0 ||
      ids.some((id) => typeof id !== 'string' || id.length < 1 || id.length > 256)
    ) {
      this.error(
        response,
        400,
        'InvalidInputException',
        'needs one of campaignArn/recommenderArn and a userId or itemId of 1-256 characters',
      );
      return;
    }
    this.getRecommendations.push(body);
    const itemList = this.recommend(body).map((itemId, index) => ({ itemId, score: 1 / (index + 1) }));
    const recommendationId = `RID-${++this.recommendationCount}`;
    response
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ itemList, recommendationId }));
  }

  private error(response: ServerResponse, status: number, type: string, message: string): void {
    response
      .writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type })
      .end(JSON.stringify({ message }));
  }
}

/** The PutEvents limits of the API reference, checked the way the service does. */
export function putEventsViolations(body: PutEventsBody): string[] {
  const problems: string[] = [];
  const length = (name: string, value: string | undefined, max: number, required = false) => {
    if (value === undefined) {
      if (required) problems.push(`${name} is required`);
      return;
    }
    if (typeof value !== 'string' || value.length < 1 || value.length > max)
      problems.push(`${name} must be 1-${max} characters`);
  };
  length('trackingId', body.trackingId, 256, true);
  length('sessionId', body.sessionId, 256, true);
  length('userId', body.userId, 256);
  const events = body.eventList ?? [];
  if (events.length < 1 || events.length > 10) problems.push(`eventList has ${events.length} events (1-10)`);
  for (const event of events) {
    length('eventType', event.eventType, 256, true);
    length('eventId', event.eventId, 256);
    length('itemId', event.itemId, 256);
    length('properties', event.properties, 1024);
    length('recommendationId', event.recommendationId, 40);
    if (typeof event.sentAt !== 'number') problems.push('sentAt must be epoch seconds');
    if (event.impression && (event.impression.length < 1 || event.impression.length > 25))
      problems.push('impression 1-25 items');
    if (event.metricAttribution !== undefined) {
      const source = event.metricAttribution.eventAttributionSource;
      if (
        typeof source !== 'string' ||
        source.length > 1024 ||
        !/^[\x20-\x7E]*[\x21-\x7E]+[\x20-\x7E]*$/.test(source)
      )
        problems.push('metricAttribution.eventAttributionSource must be printable ASCII, 1-1024 characters');
    }
    if (event.properties !== undefined) {
      const parsed = JSON.parse(event.properties) as Record<string, unknown>;
      const reserved = ['userid', 'sessionid', 'eventtype', 'timestamp', 'recommendationid', 'impression'];
      if (Object.keys(parsed).some((key) => reserved.includes(key.toLowerCase())))
        problems.push('reserved property key');
    }
  }
  return problems;
}

/** The PutUsers / PutItems limits of the API reference, checked the way the service does. */
export function putDatasetViolations(kind: 'users' | 'items', body: PutDatasetBody): string[] {
  const problems: string[] = [];
  const arn = body.datasetArn;
  if (typeof arn !== 'string' || arn.length < 1 || arn.length > 256 || !arn.startsWith('arn:'))
    problems.push('datasetArn must be an ARN of at most 256 characters');
  const records = (kind === 'users' ? body.users : body.items) ?? [];
  if (records.length < 1 || records.length > 10)
    problems.push(`${kind} has ${records.length} records (1-10)`);
  const maxProperties = kind === 'users' ? 24_000 : 32_000;
  for (const record of records) {
    const id =
      kind === 'users' ? (record as { userId?: string }).userId : (record as { itemId?: string }).itemId;
    if (typeof id !== 'string' || id.length < 1 || id.length > 256)
      problems.push(`${kind} id must be 1-256 characters`);
    const properties = record.properties;
    if (properties === undefined) continue;
    if (typeof properties !== 'string' || properties.length < 1 || properties.length > maxProperties) {
      problems.push(`properties must be 1-${maxProperties} characters`);
      continue;
    }
    try {
      const parsed = JSON.parse(properties) as unknown;
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
        problems.push('properties must be a JSON object');
    } catch {
      problems.push('properties must be JSON');
    }
  }
  return problems;
}
