import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import type { Touch, Traits } from '../attribution';
import { RetryableError } from '../errors';
import type { Conversion, CreditMark } from '../conversion';
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

/**
 * Schema migrations, applied in order and tracked in `PRAGMA user_version`. Append only: never edit a
 * migration that has shipped.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE message_steps (message_id TEXT NOT NULL, step TEXT NOT NULL, PRIMARY KEY (message_id, step)) WITHOUT ROWID;
  CREATE TABLE activity (owner TEXT NOT NULL, ts TEXT NOT NULL, message_id TEXT NOT NULL, PRIMARY KEY (owner, ts, message_id)) WITHOUT ROWID;
  CREATE TABLE touches (
    owner TEXT NOT NULL, message_id TEXT NOT NULL, ts TEXT NOT NULL, direct INTEGER NOT NULL, touch TEXT NOT NULL,
    PRIMARY KEY (owner, message_id)
  );
  CREATE INDEX touches_by_time ON touches (owner, ts);
  CREATE TABLE links (
    from_key TEXT NOT NULL, to_key TEXT NOT NULL, primary_key TEXT NOT NULL, ts TEXT NOT NULL,
    PRIMARY KEY (from_key, to_key)
  ) WITHOUT ROWID;
  CREATE TABLE profiles (target TEXT PRIMARY KEY, written_traits TEXT, written_at TEXT, recommendations TEXT);
  CREATE TABLE dead_letters (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, message_id TEXT, reason TEXT NOT NULL, payload TEXT);
  `,
  // The local fallback recommender's state (src/personalize/local-fallback.ts).
  `
  CREATE TABLE recommender_docs (key TEXT PRIMARY KEY, version INTEGER NOT NULL, value TEXT NOT NULL) WITHOUT ROWID;
  `,
  // which ids a profile's traits were written for (ProfileState.writtenFor)
  `ALTER TABLE profiles ADD COLUMN written_for TEXT;`,
  // One dead letter per message (keyed), what was cut from its payload, and the ids it names.
  `
  CREATE TABLE dead_letters_keyed (
    key TEXT PRIMARY KEY, seq INTEGER NOT NULL, at TEXT NOT NULL, message_id TEXT, reason TEXT NOT NULL,
    payload TEXT, note TEXT
  );
  INSERT OR REPLACE INTO dead_letters_keyed (key, seq, at, message_id, reason, payload)
    SELECT coalesce('msg:' || message_id, 'row:' || id), id, at, message_id, reason, payload
    FROM dead_letters ORDER BY id;
  DROP TABLE dead_letters;
  ALTER TABLE dead_letters_keyed RENAME TO dead_letters;
  CREATE INDEX dead_letters_by_time ON dead_letters (at, seq);
  CREATE TABLE dead_letter_owners (owner TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (owner, key)) WITHOUT ROWID;
  CREATE INDEX dead_letter_owners_by_key ON dead_letter_owners (key);
  `,
  // The related-items list (PERSONALIZE_RELATED_*), cached beside `recommendations`.
  `ALTER TABLE profiles ADD COLUMN related_recommendations TEXT;`,
  // Conversions, with the credit last sent for each (src/conversion).
  `
  CREATE TABLE conversions (
    owner TEXT NOT NULL, message_id TEXT NOT NULL, ts TEXT NOT NULL, conversion TEXT NOT NULL,
    credit_version INTEGER NOT NULL DEFAULT 0, credit_message_id TEXT,
    PRIMARY KEY (owner, message_id)
  );
  `,
  // which identify call wrote a profile's traits (ProfileState.writtenBy)
  `ALTER TABLE profiles ADD COLUMN written_by TEXT;`,
];

/** SQLite's page cache, KiB (see the constructor). */
const CACHE_KIB = 32 * 1024;

/** Options for opening the embedded store. */
export interface SqliteOpenOptions {
  /**
   * Refuse to create the file (and its folder): for read-only tools, where a typo in TOUCHPOINT_STORE
   * must not leave an empty store behind. Default false.
   */
  mustExist?: boolean;
}

/** Thrown by `openSqliteStore` with `mustExist` when there is no file at `path`. */
export class SqliteStoreMissingError extends Error {
  override readonly name = 'SqliteStoreMissingError';
  constructor(readonly path: string) {
    super(`no SQLite store at ${path}`);
  }
}

/** Opens (creating if needed, unless `mustExist`) the embedded store at `path`; `:memory:` works too. */
export async function openSqliteStore(path: string, options: SqliteOpenOptions = {}): Promise<SqliteStore> {
  const mustExist = options.mustExist === true && path !== ':memory:';
  if (mustExist && !existsSync(path)) throw new SqliteStoreMissingError(resolvePath(path));
  let Database: typeof BetterSqlite3;
  try {
    // A plain require: the native module stays outside the bundle and loads only when SQLite is chosen
    // (a dynamic import() would not load inside Jest's module sandbox).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    Database = require('better-sqlite3') as typeof BetterSqlite3;
  } catch (error) {
    throw new Error(
      'the SQLite store needs the native module better-sqlite3; run `npm ci` (it builds from source)',
      {
        cause: error,
      },
    );
  }
  if (path !== ':memory:' && !mustExist) mkdirSync(dirname(path), { recursive: true });
  return new SqliteStore(new Database(path, { fileMustExist: mustExist }));
}

/**
 * How long a statement waits for another connection's lock when no deadline bounds it (a replay, the
 * CLI). better-sqlite3 waits synchronously, so the whole process waits with it.
 */
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;
/** Under a deadline, the wait is re-bounded whenever it could outlast it, at most this often. */
const BUSY_TIMEOUT_STEP_MS = 100;

/** The embedded default store: one SQLite file in WAL mode (better-sqlite3, synchronous and in-process). */
export class SqliteStore implements AttributionStore {
  /** Any number of writes is one transaction here; bounded so one stays a few MB. */
  readonly maxRecommenderWrites: number = 10_000;
  private readonly sql;
  /** Links this instance already wrote (pair -> timestamp): most events repeat their link; skip the write. */
  private readonly linked = new Map<string, string>();
  /** the deadlines (epoch ms) of the deliveries in flight, each once per delivery */
  private readonly deadlines: number[] = [];
  private busyTimeoutMs = DEFAULT_BUSY_TIMEOUT_MS;
  /** epoch ms until which the busy timeout set last cannot wait past a deadline in flight */
  private waitFitsUntil = Infinity;
  /** `PRAGMA busy_timeout = n` by n: whole steps of BUSY_TIMEOUT_STEP_MS up to the default (51 at most) */
  private readonly busyTimeoutStatements = new Map<number, BetterSqlite3.Statement>();

  constructor(private readonly db: BetterSqlite3.Database) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma(`busy_timeout = ${DEFAULT_BUSY_TIMEOUT_MS}`);
    // A 32 MB page cache. A page it misses is read from the OS's file cache, which the process's RSS does
    // not count: on 1M replayed events 64 MB cost 28 MB more peak RSS for no speed (6,435 against 6,208
    // events/s, CPU time 152.6 s against 153.8 s); 16 MB cost 9% more CPU time.
    db.pragma(`cache_size = -${CACHE_KIB}`);
    db.pragma('wal_autocheckpoint = 10000');
    migrate(db);
    this.sql = {
      getSteps: db.prepare<[string], { step: MessageStep }>(
        'SELECT step FROM message_steps WHERE message_id = ? ORDER BY step',
      ),
      markStep: db.prepare('INSERT OR IGNORE INTO message_steps (message_id, step) VALUES (?, ?)'),
      recordActivity: db.prepare('INSERT OR IGNORE INTO activity (owner, ts, message_id) VALUES (?, ?, ?)'),
      hasActivity: db.prepare<[string, string, string, string], { found: number }>(
        'SELECT 1 AS found FROM activity WHERE owner = ? AND ts >= ? AND ts < ? AND message_id <> ? LIMIT 1',
      ),
      newestActivity: db.prepare<[string], { ts: string | null }>(
        'SELECT max(ts) AS ts FROM activity WHERE owner = ?',
      ),
      // A message that came again with another timestamp keeps its earliest (whichever came first).
      putTouch: db.prepare(
        `INSERT INTO touches (owner, message_id, ts, direct, touch) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (owner, message_id) DO UPDATE SET ts = excluded.ts, direct = excluded.direct, touch = excluded.touch
         WHERE excluded.ts <= touches.ts`,
      ),
      deleteDirect: db.prepare('DELETE FROM touches WHERE owner = ? AND direct = 1 AND ts > ? AND ts <= ?'),
      touchesOf: db.prepare<[string], string>('SELECT touch FROM touches WHERE owner = ?').pluck(),
      link: db.prepare(
        `INSERT INTO links (from_key, to_key, primary_key, ts) VALUES (@from, @to, @primary, @ts)
         ON CONFLICT (from_key, to_key) DO UPDATE SET primary_key = excluded.primary_key, ts = excluded.ts
         WHERE excluded.ts < links.ts`,
      ),
      linksOf: db.prepare<[string], { from_key: string; to_key: string; primary_key: string; ts: string }>(
        'SELECT from_key, to_key, primary_key, ts FROM links WHERE from_key = ?',
      ),
      getProfile: db.prepare<
        [string],
        {
          written_traits: string | null;
          written_at: string | null;
          recommendations: string | null;
          written_for: string | null;
          related_recommendations: string | null;
          written_by: string | null;
        }
      >(
        'SELECT written_traits, written_at, recommendations, written_for, related_recommendations, written_by FROM profiles WHERE target = ?',
      ),
      // @free: 1 saves whatever the row holds; else only over no write or over @by itself
      saveTraits: db.prepare(
        `INSERT INTO profiles (target, written_traits, written_at, written_for, written_by)
         VALUES (@target, @traits, @at, @for, @by)
         ON CONFLICT (target) DO UPDATE SET written_traits = excluded.written_traits, written_at = excluded.written_at,
         written_for = coalesce(excluded.written_for, profiles.written_for), written_by = excluded.written_by
         WHERE @free = 1 OR profiles.written_by IS NULL OR profiles.written_by = @by`,
      ),
      saveTraitsReplacing: db.prepare(
        `UPDATE profiles SET written_traits = @traits, written_at = @at,
         written_for = coalesce(@for, written_for), written_by = @by
         WHERE target = @target AND (written_by = @replacing OR written_by = @by)`,
      ),
      markRaced: db.prepare('UPDATE profiles SET written_for = ? WHERE target = ?'),
      recentProfiles: db.prepare<[number], { target: string; written_at: string }>(
        'SELECT target, written_at FROM profiles WHERE written_at IS NOT NULL ORDER BY written_at DESC, target LIMIT ?',
      ),
      saveRecommendations: db.prepare(
        `INSERT INTO profiles (target, recommendations) VALUES (?, ?)
         ON CONFLICT (target) DO UPDATE SET recommendations = excluded.recommendations`,
      ),
      saveRelatedRecommendations: db.prepare(
        `INSERT INTO profiles (target, related_recommendations) VALUES (?, ?)
         ON CONFLICT (target) DO UPDATE SET related_recommendations = excluded.related_recommendations`,
      ),
      addDeadLetter: db.prepare(
        `INSERT OR REPLACE INTO dead_letters (key, seq, at, message_id, reason, payload, note)
         VALUES (@key, (SELECT coalesce(max(seq), 0) + 1 FROM dead_letters), @at, @messageId, @reason, @payload, @note)`,
      ),
      addDeadLetterOwner: db.prepare('INSERT OR IGNORE INTO dead_letter_owners (owner, key) VALUES (?, ?)'),
      listDeadLetters: db.prepare<
        { since: string | null; reason: string | null; limit: number },
        DeadLetterRow
      >(
        `SELECT key, at, message_id, reason, payload, note,
           (SELECT json_group_array(owner) FROM dead_letter_owners o WHERE o.key = d.key) AS owners
         FROM dead_letters d
         WHERE (@since IS NULL OR at >= @since) AND (@reason IS NULL OR instr(lower(reason), lower(@reason)) > 0)
         ORDER BY at DESC, seq DESC LIMIT @limit`,
      ),
      removeDeadLetter: db.prepare('DELETE FROM dead_letters WHERE key = ?'),
      removeDeadLetterOwners: db.prepare('DELETE FROM dead_letter_owners WHERE key = ?'),
      forgetDeadLetters: db.prepare(
        'DELETE FROM dead_letters WHERE key IN (SELECT key FROM dead_letter_owners WHERE owner = ?)',
      ),
      forgetDeadLetterOwners: db.prepare(
        'DELETE FROM dead_letter_owners WHERE key IN (SELECT key FROM dead_letter_owners WHERE owner = ?)',
      ),
      forgetActivity: db.prepare('DELETE FROM activity WHERE owner = ?'),
      forgetTouches: db.prepare('DELETE FROM touches WHERE owner = ?'),
      forgetLinks: db.prepare('DELETE FROM links WHERE from_key = ? OR to_key = ?'),
      forgetProfile: db.prepare('DELETE FROM profiles WHERE target = ?'),
      readRecommenderDoc: db.prepare<[string], { version: number; value: string }>(
        'SELECT version, value FROM recommender_docs WHERE key = ?',
      ),
      recommenderDocVersion: db
        .prepare<[string], number>('SELECT version FROM recommender_docs WHERE key = ?')
        .pluck(),
      writeRecommenderDoc: db.prepare(
        'INSERT OR REPLACE INTO recommender_docs (key, version, value) VALUES (?, ?, ?)',
      ),
      forgetRecommenderDoc: db.prepare('DELETE FROM recommender_docs WHERE key = ?'),
      ...conversionStatements(db),
    };
  }

  async getMessage(messageId: string): Promise<MessageRecord | null> {
    this.boundWait();
    const rows = this.sql.getSteps.all(messageId);
    return rows.length > 0 ? { messageId, steps: rows.map((row) => row.step) } : null;
  }

  async markStep(messageId: string, step: MessageStep): Promise<void> {
    this.boundWait();
    this.sql.markStep.run(messageId, step);
  }

  async recordActivity(ownerKey: IdentityKey, timestamp: string, messageId: string): Promise<boolean> {
    this.boundWait();
    return this.sql.recordActivity.run(ownerKey, timestamp, messageId).changes > 0;
  }

  async hasActivityBetween(
    ownerKey: IdentityKey,
    from: string,
    to: string,
    exceptMessageId: string,
  ): Promise<boolean> {
    this.boundWait();
    return this.sql.hasActivity.get(ownerKey, from, to, exceptMessageId) !== undefined;
  }

  async newestActivity(keys: readonly IdentityKey[]): Promise<string | null> {
    this.boundWait();
    let newest: string | null = null;
    for (const key of keys) {
      const ts = this.sql.newestActivity.get(key)?.ts ?? null;
      if (ts !== null && (newest === null || ts > newest)) newest = ts;
    }
    return newest;
  }

  async putTouch(touch: Touch): Promise<void> {
    this.boundWait();
    const { ownerKey, messageId, timestamp, direct } = touch;
    this.sql.putTouch.run(ownerKey, messageId, timestamp, direct ? 1 : 0, JSON.stringify(touch));
  }

  async deleteDirectTouches(ownerKey: IdentityKey, after: string, until: string): Promise<number> {
    this.boundWait();
    return this.sql.deleteDirect.run(ownerKey, after, until).changes;
  }

  async touchesOf(keys: readonly IdentityKey[]): Promise<Touch[]> {
    this.boundWait();
    return keys.flatMap((key) => this.sql.touchesOf.all(key).map((json) => JSON.parse(json) as Touch));
  }

  async link(link: IdentityLink): Promise<void> {
    if (link.from === link.to) return;
    const pair = `${link.from}\n${link.to}`;
    const known = this.linked.get(pair);
    if (known !== undefined && known <= link.timestamp) return;
    this.boundWait();
    this.sql.link.run({ from: link.from, to: link.to, primary: link.primary, ts: link.timestamp });
    this.sql.link.run({ from: link.to, to: link.from, primary: link.primary, ts: link.timestamp });
    if (this.linked.size > 100_000) this.linked.clear();
    this.linked.set(pair, link.timestamp);
  }

  async linksOf(keys: readonly IdentityKey[]): Promise<IdentityLink[]> {
    this.boundWait();
    return keys.flatMap((key) =>
      this.sql.linksOf.all(key).map((row) => ({
        from: row.from_key as IdentityKey,
        to: row.to_key as IdentityKey,
        primary: row.primary_key as IdentityKey,
        timestamp: row.ts,
      })),
    );
  }

  async getProfileState(target: IdentityKey): Promise<ProfileState | null> {
    this.boundWait();
    const row = this.sql.getProfile.get(target);
    if (!row) return null;
    return {
      writtenTraits: row.written_traits ? (JSON.parse(row.written_traits) as Traits) : null,
      writtenAt: row.written_at,
      recommendations: row.recommendations
        ? (JSON.parse(row.recommendations) as CachedRecommendations)
        : null,
      ...(row.written_for === null ? {} : { writtenFor: row.written_for }),
      ...(row.written_by === null ? {} : { writtenBy: row.written_by }),
      relatedRecommendations: row.related_recommendations
        ? (JSON.parse(row.related_recommendations) as CachedRecommendations)
        : null,
    };
  }

  async saveWrittenTraits(
    target: IdentityKey,
    traits: Traits,
    at: string,
    writtenFor?: string,
    write?: WrittenBy,
  ): Promise<boolean> {
    this.boundWait();
    const row = {
      target,
      traits: JSON.stringify(traits),
      at,
      for: writtenFor ?? null,
      by: write?.by ?? null,
    };
    const replacing = write?.replacing;
    if (typeof replacing === 'string')
      return this.sql.saveTraitsReplacing.run({ ...row, replacing }).changes > 0;
    return this.sql.saveTraits.run({ ...row, free: replacing === undefined ? 1 : 0 }).changes > 0;
  }

  async markWrittenRaced(target: IdentityKey): Promise<void> {
    this.boundWait();
    this.sql.markRaced.run(RACED_WRITE, target);
  }

  async saveRecommendations(target: IdentityKey, recommendations: CachedRecommendations): Promise<void> {
    this.boundWait();
    this.sql.saveRecommendations.run(target, JSON.stringify(recommendations));
  }

  async saveRelatedRecommendations(
    target: IdentityKey,
    recommendations: CachedRecommendations,
  ): Promise<void> {
    this.sql.saveRelatedRecommendations.run(target, JSON.stringify(recommendations));
  }

  async recentProfiles(limit: number): Promise<RecentProfile[]> {
    this.boundWait();
    if (limit <= 0) return [];
    return this.sql.recentProfiles
      .all(limit)
      .map((row) => ({ target: row.target as IdentityKey, writtenAt: row.written_at }));
  }

  async addDeadLetter(entry: DeadLetter): Promise<void> {
    this.boundWait();
    this.db.transaction(() => {
      this.sql.addDeadLetter.run({
        key: entry.key,
        at: entry.at,
        messageId: entry.messageId,
        reason: entry.reason,
        payload: JSON.stringify(entry.payload ?? null),
        note: entry.note,
      });
      for (const owner of entry.owners) this.sql.addDeadLetterOwner.run(owner, entry.key);
    })();
  }

  async listDeadLetters(limit: number, filter: DeadLetterFilter = {}): Promise<DeadLetter[]> {
    this.boundWait();
    if (limit <= 0) return [];
    const rows = this.sql.listDeadLetters.all({
      since: filter.since ?? null,
      reason: filter.reason ?? null,
      limit,
    });
    return rows.map((row) => ({
      at: row.at,
      key: row.key,
      messageId: row.message_id,
      reason: row.reason,
      payload: row.payload === null ? null : (JSON.parse(row.payload) as unknown),
      note: row.note,
      owners: JSON.parse(row.owners) as IdentityKey[],
    }));
  }

  async removeDeadLetters(keys: readonly string[]): Promise<number> {
    this.boundWait();
    let removed = 0;
    this.db.transaction(() => {
      for (const key of keys) {
        removed += this.sql.removeDeadLetter.run(key).changes;
        this.sql.removeDeadLetterOwners.run(key);
      }
    })();
    return removed;
  }

  async forget(keys: readonly IdentityKey[]): Promise<void> {
    this.boundWait();
    this.linked.clear();
    this.db.transaction(() => {
      for (const key of keys) {
        this.sql.forgetActivity.run(key);
        this.sql.forgetTouches.run(key);
        this.sql.forgetLinks.run(key, key);
        this.sql.forgetProfile.run(key);
        this.sql.forgetRecommenderDoc.run(recommenderDeviceDoc(key));
        this.sql.forgetDeadLetters.run(key);
        this.sql.forgetDeadLetterOwners.run(key);
        this.sql.forgetConversions.run(key);
      }
    })();
  }

  async batch<T>(work: () => Promise<T>): Promise<T> {
    if (this.db.inTransaction) return work();
    this.boundWait();
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = await work();
      this.db.exec('COMMIT');
      return result;
    } catch (error) {
      this.db.exec('ROLLBACK');
      this.linked.clear(); // links written in the rolled-back transaction are gone
      throw error;
    }
  }

  async close(): Promise<void> {
    this.db.close();
  }

  async readRecommenderDocs(keys: readonly string[]): Promise<Map<string, RecommenderDoc>> {
    this.boundWait();
    const docs = new Map<string, RecommenderDoc>();
    for (const key of keys) {
      const row = this.sql.readRecommenderDoc.get(key);
      if (row) docs.set(key, { version: row.version, value: JSON.parse(row.value) as unknown });
    }
    return docs;
  }

  async writeRecommenderDocs(writes: readonly RecommenderWrite[]): Promise<'applied' | 'conflict'> {
    this.boundWait();
    // A savepoint inside a replay's transaction: a conflict undoes only these writes.
    const write = this.db.transaction((): void => {
      for (const { key, expectedVersion, value } of writes) {
        const version = this.sql.recommenderDocVersion.get(key) ?? 0;
        if (version !== expectedVersion) throw new StaleDoc();
        this.sql.writeRecommenderDoc.run(key, version + 1, JSON.stringify(value));
      }
    });
    try {
      write.immediate();
      return 'applied';
    } catch (error) {
      if (error instanceof StaleDoc) return 'conflict';
      throw error;
    }
  }

  /**
   * Runs a delivery's `work` with every lock wait bounded by its deadline (the earliest of the deliveries
   * in flight: a synchronous wait holds up all of them). A wait that reaches it throws RetryableError, so
   * the invocation fails within its time and is redelivered, instead of blocking past Segment's timeout.
   */
  async withinDeadline<T>(deadlineAt: number, work: () => Promise<T>): Promise<T> {
    this.deadlines.push(deadlineAt);
    this.resetWait();
    try {
      return await work();
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'SQLITE_BUSY') throw error;
      throw new RetryableError('the SQLite store stayed locked by another connection until the deadline', {
        cause: error,
        service: 'sqlite',
      });
    } finally {
      this.deadlines.splice(this.deadlines.indexOf(deadlineAt), 1);
      this.resetWait();
    }
  }

  /** Lowers the busy timeout when the next statement could otherwise wait past the earliest deadline. */
  private boundWait(): void {
    // Every statement comes through here: one clock read while the timeout set last still fits.
    if (this.deadlines.length === 0 || Date.now() <= this.waitFitsUntil) return;
    if (this.busyTimeoutMs > this.waitBudget()) this.resetWait();
  }

  /** The busy timeout for the deliveries in flight now (the default when there is none). */
  private resetWait(): void {
    const budget = this.waitBudget();
    // Whole steps below the budget: a handful of distinct values, each a statement prepared once.
    const steps = Math.floor(budget / BUSY_TIMEOUT_STEP_MS) - 1;
    const ms = this.deadlines.length === 0 ? budget : Math.max(0, steps * BUSY_TIMEOUT_STEP_MS);
    if (ms !== this.busyTimeoutMs) this.setBusyTimeout(ms);
    // Until then a wait of busyTimeoutMs ends before the earliest deadline.
    this.waitFitsUntil =
      this.deadlines.length === 0 ? Infinity : Math.min(...this.deadlines) - this.busyTimeoutMs;
  }

  /** How long a statement may wait now: until the earliest deadline in flight, at most the default. */
  private waitBudget(): number {
    if (this.deadlines.length === 0) return DEFAULT_BUSY_TIMEOUT_MS;
    return Math.min(DEFAULT_BUSY_TIMEOUT_MS, Math.min(...this.deadlines) - Date.now());
  }

  private setBusyTimeout(ms: number): void {
    this.busyTimeoutMs = Math.max(0, Math.floor(ms));
    // db.pragma() prepares its statement on every call (~12 us; 4 calls per Lambda invocation): kept here.
    let statement = this.busyTimeoutStatements.get(this.busyTimeoutMs);
    if (!statement) {
      statement = this.db.prepare(`PRAGMA busy_timeout = ${this.busyTimeoutMs}`);
      this.busyTimeoutStatements.set(this.busyTimeoutMs, statement);
    }
    statement.get();
  }

  async putConversion(conversion: Conversion): Promise<void> {
    const { ownerKey, messageId, timestamp, credited } = conversion;
    this.sql.putConversion.run(
      ownerKey,
      messageId,
      timestamp,
      JSON.stringify({ ...conversion, credited: null }),
      credited?.version ?? 0,
      credited?.messageId ?? null,
    );
  }

  async conversionsOf(keys: readonly IdentityKey[]): Promise<Conversion[]> {
    return keys.flatMap((key) => this.sql.conversionsOf.all(key).map(conversionOfRow));
  }

  async saveConversionCredit(conversion: Conversion, mark: CreditMark): Promise<boolean> {
    const { ownerKey, messageId, credited } = conversion;
    const saved = this.sql.saveConversionCredit.run(
      mark.version,
      mark.messageId,
      ownerKey,
      messageId,
      credited?.version ?? 0,
    );
    return saved.changes === 1;
  }

  async listConversions(): Promise<Conversion[]> {
    return this.sql.listConversions.all().map(conversionOfRow);
  }
}

/** Thrown inside writeRecommenderDocs' transaction to roll it back when a document changed since it was read. */
class StaleDoc extends Error {
  override readonly name = 'StaleDoc';
}

/** A dead letter as listDeadLetters reads it (`owners` is a JSON array). */
interface DeadLetterRow {
  key: string;
  at: string;
  message_id: string | null;
  reason: string;
  payload: string | null;
  note: string | null;
  owners: string;
}

type ConversionRow = { conversion: string; credit_version: number; credit_message_id: string | null };

function conversionStatements(db: BetterSqlite3.Database) {
  const columns = 'conversion, credit_version, credit_message_id';
  return {
    // As a touch, an order that came again keeps its earliest timestamp, unless its credit was sent.
    putConversion: db.prepare(
      `INSERT INTO conversions (owner, message_id, ts, ${columns}) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (owner, message_id) DO UPDATE SET ts = excluded.ts, conversion = excluded.conversion
       WHERE excluded.ts < conversions.ts AND conversions.credit_message_id IS NULL`,
    ),
    conversionsOf: db.prepare<[string], ConversionRow>(`SELECT ${columns} FROM conversions WHERE owner = ?`),
    listConversions: db.prepare<[], ConversionRow>(`SELECT ${columns} FROM conversions`),
    saveConversionCredit: db.prepare(
      `UPDATE conversions SET credit_version = ?, credit_message_id = ?
       WHERE owner = ? AND message_id = ? AND credit_version = ?`,
    ),
    forgetConversions: db.prepare('DELETE FROM conversions WHERE owner = ?'),
  };
}

function conversionOfRow(row: ConversionRow): Conversion {
  const conversion = JSON.parse(row.conversion) as Conversion;
  const credited = row.credit_message_id
    ? { messageId: row.credit_message_id, version: row.credit_version }
    : null;
  return { ...conversion, credited };
}

function migrate(db: BetterSqlite3.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(
      `store schema version ${current} is newer than this touchpoint (${MIGRATIONS.length}); upgrade`,
    );
  }
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version] as string);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
