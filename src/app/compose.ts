import { loadConfig, type Config } from '../config';
import { createEventBridgeClient, EventBridgePublisher, type EventBridgeClientOptions } from '../eventbridge';
import { createLogger, type Logger } from '../log';
import type { InvocationMetrics } from '../metrics';
import {
  createEngine,
  type AttributionPublisher,
  type AttributionStore,
  type Engine,
  type EventTracker,
  type Pipeline,
  type PipelineSettings,
  type ProfileEnricher,
  type TraitWriter,
} from '../pipeline';
import type { ClientOptions } from '../personalize';
import type { SsmAccess } from '../secrets';
import { OutboxTraitWriter, SegmentTraitWriter } from '../writeback';
import { createPersonalizeIntegration } from './personalize';
import { openStore } from './store';

/** Environment variables, as `process.env` holds them. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Parts a caller (a test, a bench, the demo) supplies instead of the configured ones. */
export interface AppOverrides {
  store?: AttributionStore;
  writer?: TraitWriter;
  tracker?: EventTracker;
  enrichers?: readonly ProfileEnricher[];
  clock?: () => Date;
  log?: Logger;
  /** where SEGMENT_WRITE_KEY_PARAMETER is read (tests: a local SSM endpoint and fixed credentials) */
  ssm?: SsmAccess;
  /** Personalize client settings beyond the region (tests, benches: a local endpoint and credentials) */
  personalize?: Omit<ClientOptions, 'region'>;
  /** CloudWatch metrics per delivery (the Lambda doors pass them; the CLI does not write EMF lines) */
  metrics?: InvocationMetrics;
  /** publishes Attribution Changed events instead of the EventBridge publisher TOUCHPOINT_EVENT_BUS asks for */
  publisher?: AttributionPublisher;
  /** EventBridge client settings beyond the region (tests, benches: a local endpoint and credentials) */
  eventBridge?: Omit<EventBridgeClientOptions, 'region'>;
}

/** Everything an entry point needs: the resolved configuration, the engine over its ports, and `close`. */
export interface App {
  /** the configuration with secrets resolved (`segment.writeKey` filled from SSM when configured) */
  config: Config;
  pipeline: Pipeline;
  engine: Engine;
  metrics: InvocationMetrics | undefined;
  /** flushes and closes the writer, then the store */
  close(): Promise<void>;
}

/**
 * The composition root: builds config -> secrets -> store -> writer -> Personalize -> engine, once, the
 * same way for every entry point (the Lambda handler, each CLI command, tests, benches). Nothing else
 * constructs adapters, so every door resolves secrets and picks its writer alike.
 * @throws ConfigurationError naming the variable to fix; RetryableError when SSM fails transiently
 */
export async function createApp(env: Env, overrides: AppOverrides = {}): Promise<App> {
  const config = await resolveConfig(env, overrides.ssm);
  const log = overrides.log ?? createLogger(config.logLevel);
  const store = overrides.store ?? (await openStore(config.store));
  const writer = overrides.writer ?? createWriter(config, log);
  const clock = overrides.clock ?? (() => new Date());
  // A PutEvents tracker when PERSONALIZE_TRACKING_ID is set; recommendations from Personalize, or the
  // local fallback when no campaign or recommender is configured.
  const personalize = createPersonalizeIntegration(config.personalize, {
    store,
    log,
    clock,
    clientOptions: overrides.personalize,
  });
  const pipeline: Pipeline = {
    store,
    writer,
    tracker: overrides.tracker ?? personalize.tracker,
    enrichers: overrides.enrichers ?? personalize.enrichers,
    publisher: overrides.publisher ?? createPublisher(config, log, overrides.eventBridge),
    settings: {
      ...settingsOf(config),
      // A tracker or enricher given here may read anything of a message: then all of it is kept.
      downstreamReads: overrides.tracker || overrides.enrichers ? undefined : personalize.downstreamReads,
    },
    clock,
    log,
  };
  return {
    config,
    pipeline,
    engine: createEngine(pipeline),
    metrics: overrides.metrics,
    async close() {
      await writer.close();
      await store.close();
    },
  };
}

/** What read-only tools need (profile views, dead letters, setup): the configuration and the store. */
export interface StoreApp {
  config: Config;
  store: AttributionStore;
  settings: PipelineSettings;
  close(): Promise<void>;
}

/**
 * The composition root for read-only tools: no secrets, no writer, no Personalize clients, and a store
 * that is never created (a typo in TOUCHPOINT_STORE must not leave an empty store that answers nothing).
 */
export async function createStoreApp(
  env: Env,
  overrides: { store?: AttributionStore } = {},
): Promise<StoreApp> {
  const config = loadConfig(env);
  const store = overrides.store ?? (await openStore(config.store, { mustExist: true }));
  return { config, store, settings: settingsOf(config), close: () => store.close() };
}

/**
 * An app built on first use and kept for the life of the process (one Lambda container); a build that
 * failed (SSM throttled, a bad variable) is tried again on the next call instead of being remembered.
 */
export function appOnce(build: () => Promise<App>): () => Promise<App> {
  let ready: Promise<App> | undefined;
  return () => {
    ready ??= build().catch((error: unknown) => {
      ready = undefined;
      throw error;
    });
    return ready;
  };
}

/** The engine's settings, as the configuration states them. */
export function settingsOf(config: Config): PipelineSettings {
  return {
    classifier: config.classifier,
    attribution: config.attribution,
    traitPreset: config.traitPreset,
    timestamps: config.timestamps,
    conversion: config.conversion,
  };
}

/**
 * The configuration, with the write key read from SSM when SEGMENT_WRITE_KEY_PARAMETER names one, and
 * the HTTP doors' webhook secret and API token when their `..._PARAMETER` variables name them.
 */
async function resolveConfig(env: Env, ssm: SsmAccess | undefined): Promise<Config> {
  const config = loadConfig(env);
  const { http } = config;
  const writeKeyFromSsm = Boolean(config.segment.writeKeyParameter && !config.segment.writeKey);
  const httpFromSsm = Boolean(
    (http.webhookSecretParameter && !http.webhookSecret) || (http.apiTokenParameter && !http.apiToken),
  );
  if (!writeKeyFromSsm && !httpFromSsm) return config;
  // Loaded only when used, so a deployment with a plain SEGMENT_WRITE_KEY skips it at cold start.
  const { resolveHttpSecrets, resolveSecrets } = await import('../secrets');
  return resolveHttpSecrets(await resolveSecrets(config, ssm), ssm);
}

/** An EventBridge publisher when TOUCHPOINT_EVENT_BUS names a bus, else none (no events). */
function createPublisher(
  config: Config,
  log: Logger,
  clientOptions: Omit<EventBridgeClientOptions, 'region'> | undefined,
): AttributionPublisher | undefined {
  if (!config.eventBus) return undefined;
  const client = createEventBridgeClient({ region: config.aws.region ?? 'us-east-1', ...clientOptions });
  return new EventBridgePublisher({ client, busName: config.eventBus, log });
}

function createWriter(config: Config, log: Logger): TraitWriter {
  const { writeKey, host, outboxPath } = config.segment;
  return writeKey ? new SegmentTraitWriter({ writeKey, host, log }) : new OutboxTraitWriter(outboxPath);
}
