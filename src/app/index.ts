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
export { openStore } from './store';
