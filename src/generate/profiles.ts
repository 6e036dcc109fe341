import { shopTraffic, type TrafficProfile } from './index';
import { workshopTraffic } from './workshop';

/**
 * The traffic profiles `touchpoint generate --profile <name>` knows: `shop` (the default: a shop's
 * channel mix, multi-device visitors, e-commerce) and `workshop` (the AWS Segment + Personalize
 * workshop generator's funnels and retention, src/generate/workshop.ts).
 */
export const TRAFFIC_PROFILES: Readonly<Record<string, TrafficProfile>> = {
  shop: shopTraffic,
  workshop: workshopTraffic,
};

/** The profile named `name`, or undefined for a name that is not one (an inherited key included). */
export function trafficProfileNamed(name: string): TrafficProfile | undefined {
  return Object.hasOwn(TRAFFIC_PROFILES, name) ? TRAFFIC_PROFILES[name] : undefined;
}
