import { RetryableError, type FailureAction as ErrorAction } from '../../src/errors';
import {
  classifyError,
  createEventsClient,
  EXCEPTION_ACTIONS,
  PersonalizeTracker,
} from '../../src/personalize';
import {
  fakeClientOptions,
  personalizeConfig,
  productViewed,
  recordingLogger,
  useFakePersonalize,
} from './helpers';

/** Exceptions raised on the client side (never sent by the service as an error type). */
const CLIENT_SIDE = new Set(['TimeoutError', 'AbortError', 'CredentialsProviderError']);

function statusFor(name: string, action: ErrorAction): number {
  if (action === 'retry') return /Internal/.test(name) ? 500 : /Unavailable/.test(name) ? 503 : 400;
  if (action === 'configuration') return /NotFound/.test(name) ? 404 : /AccessDenied/.test(name) ? 403 : 400;
  return 400;
}

describe('the exception table', () => {
  describe('classifyError', () => {
    it.each(Object.entries(EXCEPTION_ACTIONS))('classifies %s as %s', (name, action) => {
      // Prepare
      const error = Object.assign(new Error('x'), { name });

      // Act
      const result = classifyError(error);

      // Assess
      expect(result).toBe(action);
    });

    it.each([
      [429, 'retry'],
      [500, 'retry'],
      [503, 'retry'],
      [403, 'configuration'],
      [404, 'configuration'],
      [400, 'reject'],
      [413, 'reject'],
    ] as const)('classifies an unknown exception with HTTP %i as %s', (status, action) => {
      const error = Object.assign(new Error('x'), {
        name: 'SomethingNewException',
        $metadata: { httpStatusCode: status },
      });

      expect(classifyError(error)).toBe(action);
    });

    it('treats network failures and unknown throwables as transient', () => {
      expect(classifyError(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toBe('retry');
      expect(classifyError('a string')).toBe('retry');
    });
  });

  describe('each service-side row through the real SDK and the local Personalize', () => {
    const personalize = useFakePersonalize();
    const fake = personalize.fake;
    const config = personalizeConfig();

    const rows = Object.entries(EXCEPTION_ACTIONS).filter(([name]) => !CLIENT_SIDE.has(name));

    it.each(rows)('%s (%s)', async (name, action) => {
      // Prepare
      const log = recordingLogger();
      const client = createEventsClient(fakeClientOptions(personalize.endpoint, { maxAttempts: 1 }));
      const mapping = {
        eventTypes: config.eventTypes,
        itemIdPaths: config.itemIdPaths,
        eventProperties: null,
      };
      const tracker = new PersonalizeTracker({ client, trackingId: 't', mapping, log });
      fake.script.events.push({ status: statusFor(name, action), type: name });

      // Act
      const outcome = await tracker.track([productViewed({ anonymousId: 'a', messageId: 'm' })], 3000).then(
        (result) => ({ threw: null, rejected: result.rejected }),
        (error: unknown) => ({ threw: error, rejected: [] }),
      );

      // Assess
      if (action === 'retry') {
        expect(outcome.threw).toBeInstanceOf(RetryableError);
      } else {
        expect(outcome.threw).toBeNull();
        expect(outcome.rejected).toEqual([{ messageId: 'm', reason: expect.stringContaining(name) }]);
        const level = action === 'configuration' ? 'error' : 'warn';
        expect(log.lines).toContainEqual(expect.objectContaining({ level }));
      }
    });
  });
});
