export {
  conversionOf,
  minorDigits,
  type Conversion,
  type ConversionSettings,
  type CreditMark,
} from './conversion';
export {
  creditBySource,
  conversionPath,
  creditConversion,
  eligibleTouches,
  modelWeights,
  splitUnits,
  MODELS,
  type ConversionCredit,
  type CreditOptions,
  type CreditRow,
  type Model,
  type TouchSource,
} from './models';
export { compareConversions, conversionTraits } from './traits';
export {
  creditMessageId,
  creditUpdate,
  CONVERSION_ATTRIBUTED,
  type ConversionAttributedProperties,
  type CreditProperty,
  type CreditUpdate,
} from './attributed';
export {
  attributionReport,
  NO_CAMPAIGN,
  NO_TOUCH,
  REPORT_KEYS,
  type AttributionReport,
  type CreditedConversion,
  type PathRow,
  type ReportKey,
  type ReportOptions,
  type ReportRow,
} from './report';
