import { createHash } from 'node:crypto';
import type { Conversion, CreditMark } from './conversion';
import { creditBySource, MODELS, type ConversionCredit } from './models';

/** The event name of the credit rows touchpoint writes back (the loop guard knows it). */
export const CONVERSION_ATTRIBUTED = 'Conversion Attributed';

/** One row of a `Conversion Attributed` event: a model's credit to one touch source. */
export interface CreditProperty {
  model: string;
  channel: string;
  source: string;
  medium: string;
  campaign: string | null;
  /** the model's credit to this source, in the conversion's currency */
  credit: number;
  /** its fraction of the conversion (4 decimals): conversions without a value are counted with it */
  share: number;
}

/**
 * The properties of a `Conversion Attributed` event (docs/unify.md): the conversion, its value and
 * currency, the version of this credit, and every model's credit per touch source. It carries no
 * `revenue` property on purpose: destinations that sum `revenue` must not count an order twice.
 */
export interface ConversionAttributedProperties {
  conversion_message_id: string;
  conversion_event: string;
  conversion_timestamp: string;
  value: number;
  currency: string;
  credit_version: number;
  /** the touches that shared the credit, as a channel path (`Paid Search > Email`) */
  path: string;
  credits: CreditProperty[];
  [key: string]: unknown;
}

/** A conversion's credit as it is written back: the properties, and the mark to keep once it is sent. */
export interface CreditUpdate {
  mark: CreditMark;
  properties: ConversionAttributedProperties;
}

/**
 * The credit to send for a conversion, or null when the credit last sent (`conversion.credited`) is this
 * one. A changed credit is the next `credit_version`; `force` sends the next version even when the credit
 * did not change (after a concurrent writer sent the same version with another credit). The messageId is
 * derived from the conversion, the version and the credit, so a retry of the same credit is deduplicated
 * by Segment while a re-credit arrives under a new id.
 */
export function creditUpdate(
  conversion: Conversion,
  credit: ConversionCredit,
  path: string,
  force = false,
): CreditUpdate | null {
  const credits = MODELS.flatMap((model) =>
    creditBySource(credit[model], conversion.currency).map((row) => ({ model, ...row })),
  );
  const sent = conversion.credited;
  if (
    sent &&
    !force &&
    sent.messageId === creditMessageId(conversion.messageId, sent.version, path, credits)
  ) {
    return null;
  }
  const version = (sent?.version ?? 0) + 1;
  return {
    mark: { messageId: creditMessageId(conversion.messageId, version, path, credits), version },
    properties: {
      conversion_message_id: conversion.messageId,
      conversion_event: conversion.event,
      conversion_timestamp: conversion.timestamp,
      value: conversion.value,
      currency: conversion.currency,
      credit_version: version,
      path,
      credits,
    },
  };
}

/** <= 100 characters, as Segment requires; the same conversion, version and credit give the same id. */
export function creditMessageId(
  conversionMessageId: string,
  version: number,
  path: string,
  credits: readonly CreditProperty[],
): string {
  const text = `${conversionMessageId}\n${version}\n${path}\n${JSON.stringify(credits)}`;
  const hash = createHash('sha256').update(text);
  return `touchpoint-credit-${hash.digest('hex').slice(0, 40)}`;
}
