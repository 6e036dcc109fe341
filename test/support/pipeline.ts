import { DEFAULTS } from '../../src/config';
import { DEFAULT_CLASSIFIER_OPTIONS } from '../../src/classify';
import { parseEnvelope } from '../../src/events';
import { silentLogger } from '../../src/log';
import { createEngine, type BatchReport, type Engine, type Pipeline } from '../../src/pipeline';
import { MemoryStore, type AttributionStore } from '../../src/store';
import { RecordingTraitWriter } from './recording-writer';

export interface TestPipeline extends Pipeline {
  writer: RecordingTraitWriter;
  engine: Engine;
  /** processes one delivery (a message, an array or a batch), as one Lambda invocation would */
  deliver(input: unknown): Promise<BatchReport>;
}

/** A pipeline on a MemoryStore (or the given store) with a recording writer and a fixed clock. */
export function testPipeline(overrides: Partial<Pipeline> & { store?: AttributionStore } = {}): TestPipeline {
  const pipeline: Pipeline = {
    store: new MemoryStore(),
    writer: new RecordingTraitWriter(),
    settings: {
      classifier: { ...DEFAULT_CLASSIFIER_OPTIONS, ownDomains: ['shop.example.com'] },
      attribution: {
        lookbackDays: DEFAULTS.lookbackDays,
        sessionTimeoutMinutes: DEFAULTS.sessionTimeoutMinutes,
      },
      traitPreset: 'touchpoint',
      conversion: {
        events: [DEFAULTS.events],
        defaultCurrency: DEFAULTS.defaultCurrency,
        creditLookbackDays: DEFAULTS.creditLookbackDays,
        halfLifeDays: DEFAULTS.halfLifeDays,
        traits: {
          conversionCount: DEFAULTS.conversionCount,
          lifetimeRevenue: DEFAULTS.lifetimeRevenue,
          firstConversionChannel: DEFAULTS.firstConversionChannel,
        },
      },
    },
    clock: () => new Date('2026-11-01T00:00:00.000Z'),
    log: silentLogger,
    ...overrides,
  };
  const engine = createEngine(pipeline);
  return {
    ...pipeline,
    writer: pipeline.writer as RecordingTraitWriter,
    engine,
    deliver: (input) => engine.deliver(parseEnvelope(input), Date.now() + 10_000),
  };
}
