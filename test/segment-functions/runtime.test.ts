import {
  buildSegmentFunctionScripts,
  loadFunctionScript,
  RUNTIME_GLOBALS,
} from '../support/segment-functions-runtime';

const HANDLERS = ['onTrack', 'onIdentify', 'onPage', 'onScreen', 'onGroup', 'onAlias', 'onDelete', 'onBatch'];

describe('the Segment Functions sandbox', () => {
  const scripts = buildSegmentFunctionScripts();

  it('runs both built scripts, each declaring every handler at top level', () => {
    const insert = loadFunctionScript(scripts.insert, 'touchpoint-insert.js');
    const attribution = loadFunctionScript(scripts.attribution, 'touchpoint-attribution.js');

    expect(insert.handlers.sort()).toEqual([...HANDLERS].sort());
    expect(attribution.handlers.sort()).toEqual([...HANDLERS].sort());
  });

  it('rejects a script that uses require, and one that reads process, at load time', () => {
    expect(() => loadFunctionScript("const http = require('node:http');")).toThrow(/require is not defined/);
    expect(() => loadFunctionScript('const env = process.env;')).toThrow(/process is not defined/);
  });

  it('fails a handler that reaches for a Node global while it runs (discarded, as Segment would)', async () => {
    const sandbox = loadFunctionScript(
      "async function onTrack(event) { return Buffer.from('x'); }\nasync function onPage() { setTimeout(() => {}, 1); }",
    );

    await expect(sandbox.deliver({ type: 'track' }, {})).resolves.toMatchObject({
      kind: 'discarded',
      message: expect.stringMatching(/Buffer is not defined/),
    });
    await expect(sandbox.deliver({ type: 'page' }, {})).resolves.toMatchObject({
      kind: 'discarded',
      message: expect.stringMatching(/setTimeout is not defined/),
    });
  });

  it('maps each runtime error class, a plain error and a missing handler to Segment outcomes', async () => {
    const sandbox = loadFunctionScript(`
      async function onTrack(event) {
        if (event.event === 'retry') throw new RetryError('later');
        if (event.event === 'invalid') throw new InvalidEventPayload('bad');
        if (event.event === 'validation') throw new ValidationError('bad');
        if (event.event === 'unsupported') throw new EventNotSupported('no');
        if (event.event === 'drop') throw new DropEvent('drop');
        if (event.event === 'boom') throw new Error('boom');
        return { ok: true };
      }`);
    const outcome = (event: string) => sandbox.deliver({ type: 'track', event }, {});

    expect(await outcome('retry')).toMatchObject({ kind: 'retried', name: 'RetryError' });
    expect(await outcome('invalid')).toMatchObject({ kind: 'rejected', name: 'InvalidEventPayload' });
    expect(await outcome('validation')).toMatchObject({ kind: 'rejected', name: 'ValidationError' });
    expect(await outcome('unsupported')).toMatchObject({ kind: 'unsupported' });
    expect(await outcome('drop')).toMatchObject({ kind: 'dropped' });
    expect(await outcome('boom')).toMatchObject({ kind: 'discarded', message: 'boom' });
    expect(await outcome('fine')).toEqual({ kind: 'returned', value: { ok: true } });
    expect(await sandbox.deliver({ type: 'identify' }, {})).toMatchObject({ kind: 'unsupported' });
  });

  it('offers exactly the runtime globals beyond the language built-ins (no require, process, Buffer)', async () => {
    const sandbox = loadFunctionScript(
      'async function onTrack() { return Object.keys(globalThis).filter((name) => name !== "onTrack"); }',
    );

    const outcome = await sandbox.deliver({ type: 'track' }, {});

    expect(outcome.kind).toBe('returned');
    expect([...(outcome as { value: string[] }).value].sort()).toEqual([...RUNTIME_GLOBALS].sort());
  });

  it('keeps both scripts under a megabyte, minified', () => {
    expect(scripts.bytes.insert).toBeLessThan(1024 * 1024);
    expect(scripts.bytes.attribution).toBeLessThan(1024 * 1024);
  });
});
