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
export { deliver, SAFETY_MARGIN_MS, type DeliveryOptions, type DeliveryOutcome } from './deliver';
export { lambdaHandler, type LambdaContext } from './lambda';
export { openStore } from './store';
