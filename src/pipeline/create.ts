import type { Config } from '../config';
import { createLogger, type Logger } from '../log';
import { createPersonalizeIntegration } from '../personalize';
import { openStore, type AttributionStore } from '../store';
import { OutboxTraitWriter, SegmentTraitWriter, type TraitWriter } from '../writeback';
import type { EventTracker, Pipeline, ProfileEnricher } from './process';

/** Parts a caller (a test, the CLI) may supply instead of the configured ones. */
export interface PipelineOverrides {
  store?: AttributionStore;
  writer?: TraitWriter;
  tracker?: EventTracker;
  enrichers?: readonly ProfileEnricher[];
  clock?: () => Date;
  log?: Logger;
}

/** Builds the pipeline the configuration describes: store, trait writer, and downstream integrations. */
export async function createPipeline(config: Config, overrides: PipelineOverrides = {}): Promise<Pipeline> {
  const log = overrides.log ?? createLogger(config.logLevel);
  const store = overrides.store ?? (await openStore(config.store));
  const writer =
    overrides.writer ??
    (config.segment.writeKey
      ? new SegmentTraitWriter({ writeKey: config.segment.writeKey, host: config.segment.host, log })
      : new OutboxTraitWriter(config.segment.outboxPath));
  const clock = overrides.clock ?? (() => new Date());
  // Personalize tracker when PERSONALIZE_TRACKING_ID is set; recommendations from Personalize, or the
  // local fallback when no campaign/recommender is configured (src/personalize/integration.ts).
  const personalize = createPersonalizeIntegration(config.personalize, { store, log, clock });
  return {
    store,
    writer,
    tracker: overrides.tracker ?? personalize.tracker,
    enrichers: overrides.enrichers ?? personalize.enrichers,
    settings: {
      classifier: config.classifier,
      attribution: config.attribution,
      traitPreset: config.traitPreset,
    },
    clock,
    log,
  };
}
