import { createApp, deliver } from '../../src/app';
import { fakeClientOptions, recordingLogger, useFakePersonalize } from '../personalize/helpers';
import { RecordingTraitWriter } from '../support/recording-writer';

/**
 * The PII policy (README "PII policy") end to end, through the composition root: no email, phone number
 * or secret from a payload reaches a log line or a trait; dead letters keep no secret; trait URLs keep
 * only campaign and click-id parameters; PutEvents `properties` carry only product fields.
 */
const EMAIL = 'jane.doe@example.com';
const PHONE = '+14155550100';
const SECRET = 'sk_live_51Hsecret';
const WRITE_KEY = 'wk_9f8e7d';
const PII = [EMAIL, PHONE, SECRET, WRITE_KEY, encodeURIComponent(EMAIL), encodeURIComponent(PHONE)];
const query = `email=${encodeURIComponent(EMAIL)}&phone=${encodeURIComponent(PHONE)}&token=${SECRET}`;
const SITE = 'https://shop.example.com';

describe('the PII policy', () => {
  const personalize = useFakePersonalize();

  async function subject() {
    const log = recordingLogger();
    const writer = new RecordingTraitWriter();
    const app = await createApp(
      { TOUCHPOINT_STORE: 'memory', PERSONALIZE_TRACKING_ID: 'tracker-1', AWS_REGION: 'us-east-1' },
      { writer, log, personalize: fakeClientOptions(personalize.endpoint, { maxAttempts: 1 }) },
    );
    return { app, log, writer };
  }

  const landing = {
    type: 'page',
    messageId: 'm-landing',
    anonymousId: 'a1',
    timestamp: '2026-03-01T10:00:00.000Z',
    writeKey: WRITE_KEY,
    context: {
      page: {
        url: `${SITE}/?utm_source=news&utm_medium=email&utm_campaign=spring&${query}&gclid=g1#id_token=${SECRET}`,
        referrer: `https://jane:${SECRET}@mail.example.net/read?${query}`,
      },
      headers: { Authorization: `Bearer ${SECRET}` },
    },
    properties: { email: EMAIL },
  };
  const viewed = {
    type: 'track',
    event: 'Product Viewed',
    messageId: 'm-viewed',
    anonymousId: 'a1',
    timestamp: '2026-03-01T10:01:00.000Z',
    properties: {
      product_id: 'p1',
      category: 'Shoes',
      price: 49.99,
      email: EMAIL,
      phone: PHONE,
      coupon_code_secret: SECRET,
    },
  };
  /** Invalid messages whose every odd field holds PII: messageId, type, timestamp, nested secrets. */
  const poison = [
    { type: 'page', messageId: EMAIL, anonymousId: 'a2', timestamp: PHONE, writeKey: WRITE_KEY },
    {
      type: 'page',
      messageId: PHONE,
      anonymousId: EMAIL,
      timestamp: 'not a time',
      context: { writeKey: WRITE_KEY },
    },
    { type: EMAIL, messageId: 'm-type', anonymousId: 'a3', timestamp: '2026-03-01T10:00:00Z' },
    {
      type: 'identify',
      messageId: 42,
      userId: PHONE,
      timestamp: EMAIL,
      traits: { password: SECRET, nested: [{ api_key: SECRET }] },
    },
    {
      type: 'page',
      messageId: `${EMAIL} ${PHONE}`,
      anonymousId: 'a4',
      timestamp: '+275760-09-13T00:00:00.000Z',
      headers: { authorization: SECRET },
    },
    JSON.stringify({ type: 'page', messageId: 'm-double', writeKey: WRITE_KEY, email: EMAIL }),
    `not json, email=${EMAIL} phone=${PHONE} password=${SECRET}`,
  ];

  it('keeps emails, phone numbers and secrets out of logs and traits, and secrets out of dead letters', async () => {
    // Prepare
    const { app, log, writer } = await subject();

    // Act
    const outcome = await deliver(app, [landing, viewed, ...poison]);
    await app.close();

    // Assess
    expect(outcome).toMatchObject({ kind: 'done', report: { processed: 2, deadLettered: 6, ignored: 1 } });
    const logs = JSON.stringify(log.lines);
    const traits = JSON.stringify(writer.delivered);
    const letters = await app.pipeline.store.listDeadLetters(100);
    expect(letters).toHaveLength(6);
    for (const value of PII) {
      expect(logs).not.toContain(value);
      expect(traits).not.toContain(value);
    }
    for (const secret of [SECRET, WRITE_KEY]) expect(JSON.stringify(letters)).not.toContain(secret);
    // ids that look like ids are logged as they are; others as a short hash
    const logged = log.lines
      .filter((line) => line.event === 'message_dead_lettered')
      .map((line) => line.messageId);
    expect(logged).toEqual(expect.arrayContaining(['42', null]));
    expect(logged.filter((id) => typeof id === 'string' && id.startsWith('#'))).toHaveLength(3);
    // the raw messageIds are kept, as strings, for the operator
    expect(letters.map((letter) => letter.messageId)).toEqual(expect.arrayContaining([EMAIL, PHONE, '42']));
  });

  it('writes trait URLs with only campaign and click-id parameters, without fragments or credentials', async () => {
    const { app, writer } = await subject();
    await deliver(app, landing);
    await app.close();
    expect(writer.profiles().get('anon:a1')).toMatchObject({
      first_touch_landing_page: `${SITE}/?utm_source=news&utm_medium=email&utm_campaign=spring&gclid=g1`,
      first_touch_referrer: 'https://mail.example.net/read',
      first_touch_campaign: 'spring',
    });
  });

  it('sends PutEvents properties from the product allow-list only', async () => {
    const { app } = await subject();
    personalize.fake.putEvents.length = 0;
    await deliver(app, viewed);
    await app.close();
    const [event] = personalize.fake.putEvents[0]?.eventList ?? [];
    expect(event?.itemId).toBe('p1');
    expect(event?.eventValue).toBe(49.99); // price is the event value, not a property
    expect(JSON.parse(event?.properties ?? '{}')).toEqual({ category: 'Shoes' });
    expect(JSON.stringify(personalize.fake.putEvents)).not.toContain(EMAIL);
    expect(JSON.stringify(personalize.fake.putEvents)).not.toContain(PHONE);
  });
});
