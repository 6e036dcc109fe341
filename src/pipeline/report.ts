/** What one delivery, window or replay did: for the handler's response, the CLI summary and tests. */
export interface BatchReport {
  received: number;
  processed: number;
  duplicates: number;
  ignored: number;
  deadLettered: number;
  touches: number;
  identifyCalls: number;
  /** `Conversion Attributed` track calls sent (a conversion's credit changed) */
  creditCalls: number;
}

export function emptyReport(): BatchReport {
  return {
    received: 0,
    processed: 0,
    duplicates: 0,
    ignored: 0,
    deadLettered: 0,
    touches: 0,
    identifyCalls: 0,
    creditCalls: 0,
  };
}

/** Adds `more` into `total`. */
export function addReport(total: BatchReport, more: BatchReport): void {
  for (const key of Object.keys(total) as Array<keyof BatchReport>) total[key] += more[key];
}
