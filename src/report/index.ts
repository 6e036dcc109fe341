export { creditedConversions, type ReportRange } from './inputs';
export {
  reportCsv,
  reportJson,
  reportModels,
  reportTable,
  REPORT_FORMATS,
  type ReportFormat,
} from './format';
export { reportHtml } from './html';
