export {
  appOnce,
  createApp,
  createStoreApp,
  settingsOf,
  type App,
  type AppOverrides,
  type Env,
  type StoreApp,
} from './compose';
export {
  deliver,
  deliverBatch,
  deliverParsed,
  SAFETY_MARGIN_MS,
  type BatchDeliveryOutcome,
  type BatchItemFailures,
  type DeliveryOptions,
  type DeliveryOutcome,
} from './deliver';
export { lambdaHandler, type LambdaContext, type LambdaResponse } from './lambda';
export { openStore } from './store';
