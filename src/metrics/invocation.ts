import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { createLogger, type Logger } from '../log';
import type { BatchReport } from '../pipeline';

/**
 * CloudWatch metrics for one Lambda invocation, written as Embedded Metric Format (EMF) lines by
 * Powertools Metrics: CloudWatch Logs turns each line into metric data points, with no API call and no
 * extra latency in the handler. The line is written to stdout, where Lambda sends it to the function's
 * log group.
 */

/** Every metric lives in this CloudWatch namespace (the template's alarms read it). */
export const METRICS_NAMESPACE = 'Touchpoint';

/** The value of the `service` dimension Powertools puts on every metric, unless `service` is given. */
export const DEFAULT_METRICS_SERVICE = 'touchpoint';

/** The dimension naming the downstream service of a `DownstreamFailures` data point. */
export const DOWNSTREAM_DIMENSION = 'Service';

/** What one invocation did: the engine's report. */
export type InvocationCounts = BatchReport;

/** How the invocation ended, beyond its counts. */
export interface InvocationOutcome {
  /** wall-clock time of the invocation in milliseconds */
  durationMs: number;
  /** whether the invocation ran out of its time budget */
  deadlineExceeded: boolean;
  /** the downstream service whose failure failed the invocation (e.g. `segment`, `personalize`, `dynamodb`) */
  failedService?: string;
}

/** Records the metrics of invocations. */
export interface InvocationMetrics {
  /**
   * Writes the invocation's metrics: one EMF line with the counts, the duration and DeadlineExceeded
   * (zeros included, so alarms see data points), plus a second line with `DownstreamFailures` under the
   * `Service` dimension when `failedService` is given (EMF applies one dimension set to a whole line).
   */
  record(counts: InvocationCounts, outcome: InvocationOutcome): void;
}

/** Receives each EMF document as one JSON line (no trailing newline). */
export type MetricsSink = (line: string) => void;

export interface InvocationMetricsOptions {
  /** the `service` dimension (default `DEFAULT_METRICS_SERVICE`) */
  service?: string;
  /** where Powertools' own warnings go (default: a warn-level logger on stderr) */
  log?: Logger;
}

/** The report's counts, by metric name. Every one is a Count. */
const COUNTS: ReadonlyArray<[name: string, key: keyof InvocationCounts]> = [
  ['Received', 'received'],
  ['Processed', 'processed'],
  ['Duplicates', 'duplicates'],
  ['Ignored', 'ignored'],
  ['DeadLettered', 'deadLettered'],
  ['Touches', 'touches'],
  ['IdentifyCalls', 'identifyCalls'],
  ['CreditCalls', 'creditCalls'],
];

const stdoutLine: MetricsSink = (line) => {
  process.stdout.write(`${line}\n`);
};

/**
 * Powertools Metrics publishing to a sink instead of its own console, so tests and callers choose where
 * the EMF lines go. Everything else (validation, serialisation, the 100-metric flush, the
 * `POWERTOOLS_METRICS_DISABLED` and `POWERTOOLS_DEV` switches) is Powertools' own.
 */
class SinkMetrics extends Metrics {
  constructor(
    private readonly sink: MetricsSink,
    options: ConstructorParameters<typeof Metrics>[0],
  ) {
    super(options);
  }

  override publishStoredMetrics(): this {
    try {
      if (!this.isDisabled() && this.hasStoredMetrics()) this.sink(JSON.stringify(this.serializeMetrics()));
    } finally {
      this.clearMetrics();
      this.clearDimensions();
      this.clearMetadata();
    }
    return this;
  }
}

/**
 * Metrics for invocations, written to `sink` (stdout by default). Respects Powertools' switches:
 * `POWERTOOLS_METRICS_DISABLED=true` (or `POWERTOOLS_DEV=true`) writes nothing.
 */
export function createInvocationMetrics(
  sink: MetricsSink = stdoutLine,
  options: InvocationMetricsOptions = {},
): InvocationMetrics {
  const log = options.log ?? createLogger('warn');
  const metrics = new SinkMetrics(sink, {
    namespace: METRICS_NAMESPACE,
    serviceName: options.service ?? DEFAULT_METRICS_SERVICE,
    logger: {
      debug: () => undefined,
      info: () => undefined,
      warn: (...content: unknown[]) => log.warn('metrics_warning', { reason: content.map(String).join(' ') }),
      error: (...content: unknown[]) => log.error('metrics_error', { reason: content.map(String).join(' ') }),
    },
  });

  return {
    record(counts, outcome) {
      for (const [name, key] of COUNTS) metrics.addMetric(name, MetricUnit.Count, counts[key]);
      metrics.addMetric('InvocationDuration', MetricUnit.Milliseconds, outcome.durationMs);
      metrics.addMetric('DeadlineExceeded', MetricUnit.Count, outcome.deadlineExceeded ? 1 : 0);
      metrics.publishStoredMetrics();
      if (outcome.failedService) {
        metrics.addDimension(DOWNSTREAM_DIMENSION, outcome.failedService);
        metrics.addMetric('DownstreamFailures', MetricUnit.Count, 1);
        metrics.publishStoredMetrics();
      }
    },
  };
}
