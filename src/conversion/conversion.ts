import type { SegmentMessage } from '../events';
import type { IdentityKey } from '../identity';

/** Conversion settings (docs/unify.md). Defaults live in src/config. */
export interface ConversionSettings {
  /** track event names that count as conversions (default `Order Completed`) */
  events: readonly string[];
  /** the currency of a conversion whose event names none (default `USD`) */
  defaultCurrency: string;
  /** touches older than this before a conversion earn none of its credit (default 30) */
  creditLookbackDays: number;
  /** time decay: a touch this many days before the conversion weighs half as much (default 7) */
  halfLifeDays: number;
  /** the names of the conversion traits written back */
  traits: {
    conversionCount: string;
    lifetimeRevenue: string;
    firstConversionChannel: string;
  };
}

/**
 * One conversion as stored, owned by the device (or user) that made it, like a touch. `credited` is the
 * credit last sent as `Conversion Attributed`: a redelivery that computes the same credit sends nothing,
 * a re-credit sends the next version once.
 */
export interface Conversion {
  ownerKey: IdentityKey;
  messageId: string;
  /** event timestamp, ISO-8601 UTC */
  timestamp: string;
  event: string;
  /** in `currency`, rounded to its minor unit (cents; whole yen) */
  value: number;
  /** ISO 4217, upper case */
  currency: string;
  credited: CreditMark | null;
}

/** The credit last sent for a conversion: its `Conversion Attributed` messageId and `credit_version`. */
export interface CreditMark {
  messageId: string;
  version: number;
}

/**
 * The conversion behind a message, or null when it is none: a track event whose name is configured.
 * Its value is `revenue`, else `total`, else `value`, else the sum of `products[].price * quantity`
 * (quantity 1 when absent); numeric strings count, anything else is skipped; 0 when nothing is left.
 * The value is rounded to the minor unit of its currency, so every credit of it is a whole number of cents.
 */
export function conversionOf(
  message: SegmentMessage,
  ownerKey: IdentityKey,
  settings: Pick<ConversionSettings, 'events' | 'defaultCurrency'>,
): Conversion | null {
  if (message.type !== 'track' || !settings.events.includes(message.event)) return null;
  const properties = message.properties ?? {};
  const currency = currencyOf(properties.currency) ?? settings.defaultCurrency;
  const scale = 10 ** minorDigits(currency);
  return {
    ownerKey,
    messageId: message.messageId,
    timestamp: message.timestamp,
    event: message.event,
    value: Math.round(conversionValue(properties) * scale) / scale,
    currency,
    credited: null,
  };
}

function conversionValue(properties: Record<string, unknown>): number {
  for (const field of ['revenue', 'total', 'value']) {
    const value = numberOf(properties[field]);
    if (value !== null) return value;
  }
  if (!Array.isArray(properties.products)) return 0;
  let sum = 0;
  for (const product of properties.products as unknown[]) {
    if (typeof product !== 'object' || product === null) continue;
    const { price, quantity } = product as Record<string, unknown>;
    sum += (numberOf(price) ?? 0) * (numberOf(quantity) ?? 1);
  }
  return sum;
}

function numberOf(value: unknown): number | null {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) ? number : null;
}

/** A three-letter currency code, upper-cased, or null when the property is no such code. */
function currencyOf(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const code = value.trim().toUpperCase();
  return /^[A-Z]{3}$/.test(code) ? code : null;
}

/** Minor-unit digits by currency code: Intl.NumberFormat is slow to build, and the codes are few. */
const minorDigitsByCurrency = new Map<string, number>();

/** Minor-unit digits of a currency (ISO 4217, from Intl): 2 for USD, 0 for JPY; 2 when Intl knows none. */
export function minorDigits(currency: string): number {
  let digits = minorDigitsByCurrency.get(currency);
  if (digits === undefined) {
    digits = intlMinorDigits(currency);
    // Bounded: any three letters can reach here, and a code Intl does not know is worth no entry.
    if (minorDigitsByCurrency.size < 1000) minorDigitsByCurrency.set(currency, digits);
  }
  return digits;
}

function intlMinorDigits(currency: string): number {
  try {
    const format = new Intl.NumberFormat('en', { style: 'currency', currency });
    return format.resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}
