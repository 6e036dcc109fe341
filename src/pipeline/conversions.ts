import type { Touch } from '../attribution';
import {
  compareConversions,
  conversionOf,
  conversionPath,
  creditConversion,
  creditUpdate,
  CONVERSION_ATTRIBUTED,
  type Conversion,
  type ConversionSettings,
  type CreditMark,
  type CreditOptions,
} from '../conversion';
import type { SegmentMessage } from '../events';
import type { IdentityKey } from '../identity';
import type { AttributionStore, TrackCall } from './ports';

/** What crediting conversions needs from the engine's settings. */
export interface ConversionPipelineSettings {
  attribution: { sessionTimeoutMinutes: number };
  conversion: ConversionSettings;
}

/** A conversion whose credit changed: its `Conversion Attributed` call, and the mark to save once sent. */
export interface CreditSend {
  conversion: Conversion;
  mark: CreditMark;
  call: TrackCall;
}

/** The apply step for conversions: stores the message's conversion, if it is one (idempotent). */
export async function recordConversion(
  store: AttributionStore,
  message: SegmentMessage,
  owner: IdentityKey,
  settings: ConversionSettings,
): Promise<void> {
  const conversion = conversionOf(message, owner, settings);
  if (conversion) await store.putConversion(conversion);
}

/** The models' options, from the engine's settings. */
export function creditOptionsOf(settings: ConversionPipelineSettings): CreditOptions {
  return {
    creditLookbackDays: settings.conversion.creditLookbackDays,
    halfLifeDays: settings.conversion.halfLifeDays,
    sessionTimeoutMinutes: settings.attribution.sessionTimeoutMinutes,
  };
}

/** Identifies a conversion among all of them (its owner and messageId). */
export const conversionId = (conversion: Conversion): string =>
  `${conversion.ownerKey}\n${conversion.messageId}`;

/**
 * The write-back step for conversions: recomputes the credit of each of a profile's conversions from
 * all its touches (so the result never depends on the order they arrived in: a late earlier touch
 * re-credits the conversions after it) and returns a call for each one whose credit is not the one last
 * sent. `resend` names conversions to send at the next version even so (see `saveCredits`).
 */
export function dueCredits(
  target: IdentityKey,
  conversions: readonly Conversion[],
  touches: readonly Touch[],
  settings: ConversionPipelineSettings,
  resend: ReadonlySet<string>,
): CreditSend[] {
  const options = creditOptionsOf(settings);
  const sends: CreditSend[] = [];
  for (const conversion of [...conversions].sort(compareConversions)) {
    const credit = creditConversion(touches, conversion, options);
    const update = creditUpdate(
      conversion,
      credit,
      conversionPath(credit),
      resend.has(conversionId(conversion)),
    );
    if (!update) continue;
    sends.push({
      conversion,
      mark: update.mark,
      call: {
        target,
        event: CONVERSION_ATTRIBUTED,
        properties: update.properties,
        messageId: update.mark.messageId,
        timestamp: conversion.timestamp,
      },
    });
  }
  return sends;
}

/**
 * Saves the credit of every delivered call (a rejected one is computed and sent again next time). A
 * save that finds another writer's credit stored meanwhile (DynamoDB under parallel invocations) means
 * two calls went out with the same `credit_version`: the conversion goes into `resend`, so the next
 * round sends the credit it then computes as a version above both. Returns how many calls were saved.
 */
export async function saveCredits(
  store: AttributionStore,
  sends: readonly CreditSend[],
  rejectedIds: ReadonlySet<string>,
  resend: Set<string>,
): Promise<number> {
  let saved = 0;
  for (const { conversion, mark, call } of sends) {
    if (rejectedIds.has(call.messageId)) continue;
    if (await store.saveConversionCredit(conversion, mark)) resend.delete(conversionId(conversion));
    else resend.add(conversionId(conversion));
    saved++;
  }
  return saved;
}
