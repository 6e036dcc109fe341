export {
  createInvocationMetrics,
  DEFAULT_METRICS_SERVICE,
  DOWNSTREAM_DIMENSION,
  METRICS_NAMESPACE,
  type InvocationCounts,
  type InvocationMetrics,
  type InvocationMetricsOptions,
  type InvocationOutcome,
  type MetricsSink,
} from './invocation';
