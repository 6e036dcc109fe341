/**
 * The Segment destination insert function (bundled to dist/segment-functions/touchpoint-insert.js):
 * classifies every page, track and screen event with a page before it reaches the destination it is
 * connected to, at `context.touchpoint` (the `targetField` setting). Other events pass unchanged.
 * Imports the two modules it uses rather than src/segment-functions' index, so the script carries the
 * classifier and not the message schemas of the attribution function.
 */
import { classifyEventForInsert } from '../../src/segment-functions/insert';
import { insertOptionsOf, type RawSettings } from '../../src/segment-functions/settings';

const classifyOne = (event: unknown, settings: RawSettings) =>
  classifyEventForInsert(event, insertOptionsOf(settings));
const passThrough = async (event: unknown) => event;

export const onPage = async (event: unknown, settings: RawSettings) => classifyOne(event, settings);
export const onTrack = onPage;
export const onScreen = onPage;
export const onIdentify = passThrough;
export const onGroup = passThrough;
export const onAlias = passThrough;
export const onDelete = passThrough;

/** A batch comes back in input order, one event per event. */
export const onBatch = async (events: readonly unknown[], settings: RawSettings) => {
  const options = insertOptionsOf(settings);
  return events.map((event) => classifyEventForInsert(event, options));
};
