import {
  ConfigurationError,
  DESCRIBE_ERROR_MAX_CHARS,
  describeError,
  FAILURE_TABLE,
  failureAction,
  failureTable,
  knownFailureAction,
  RetryableError,
  SERVICE_FAILURE_OVERRIDES,
  toTouchpointError,
  UNKNOWN_FAILURE_ACTION,
  ValidationError,
  type FailureAction,
  type FailureService,
} from '../../src/errors';

/**
 * The expected rows, written out a second time on purpose: the table is data, and a row with the
 * wrong action (a destination once shipped its predicates inverted) must fail here, not in production.
 */
const SHARED_NAMES: Record<string, FailureAction> = {
  ThrottlingException: 'retry',
  TooManyRequestsException: 'retry',
  LimitExceededException: 'retry',
  ProvisionedThroughputExceededException: 'retry',
  RequestLimitExceeded: 'retry',
  ResourceInUseException: 'retry',
  InternalServerError: 'retry',
  InternalServerException: 'retry',
  InternalFailure: 'retry',
  ServiceUnavailable: 'retry',
  ServiceUnavailableException: 'retry',
  TimeoutError: 'retry',
  RequestTimeout: 'retry',
  RequestTimeoutException: 'retry',
  AbortError: 'retry',
  InvalidInputException: 'reject',
  ValidationException: 'reject',
  SerializationException: 'reject',
  ResourceNotFoundException: 'configuration',
  AccessDeniedException: 'configuration',
  UnrecognizedClientException: 'configuration',
  InvalidSignatureException: 'configuration',
  IncompleteSignature: 'configuration',
  MissingAuthenticationToken: 'configuration',
  ExpiredTokenException: 'configuration',
  InvalidClientTokenId: 'configuration',
  CredentialsProviderError: 'configuration',
};
const SHARED_CODES: Record<string, FailureAction> = {
  ECONNREFUSED: 'retry',
  ECONNRESET: 'retry',
  ETIMEDOUT: 'retry',
  EPIPE: 'retry',
  ENOTFOUND: 'retry',
  EAI_AGAIN: 'retry',
  EHOSTUNREACH: 'retry',
};
const SHARED_STATUSES: Record<string, FailureAction> = {
  '400': 'reject',
  '401': 'configuration',
  '403': 'configuration',
  '404': 'configuration',
  '413': 'reject',
  '429': 'retry',
  '4xx': 'reject',
  '5xx': 'retry',
};
const OVERRIDES: Record<
  FailureService,
  { names?: Record<string, FailureAction>; statuses?: Record<string, FailureAction> }
> = {
  dynamodb: { names: { ConditionalCheckFailedException: 'reject' } },
  ssm: {
    names: {
      ParameterNotFound: 'configuration',
      ParameterVersionNotFound: 'configuration',
      InvalidKeyId: 'configuration',
      NetworkError: 'retry',
    },
  },
  personalize: {},
  segment: { statuses: { '404': 'retry' } },
  kinesis: { names: { KMSThrottlingException: 'retry', KMSAccessDeniedException: 'configuration' } },
  eventbridge: { names: { MalformedDetail: 'reject', InvalidArgument: 'reject' } },
};
const SERVICES = Object.keys(OVERRIDES) as FailureService[];

const expectedNames = (service: FailureService) => ({ ...SHARED_NAMES, ...OVERRIDES[service].names });
const expectedStatuses = (service: FailureService) => ({
  ...SHARED_STATUSES,
  ...OVERRIDES[service].statuses,
});
const perService = (rows: (service: FailureService) => Record<string, FailureAction>) =>
  SERVICES.flatMap((service) =>
    Object.entries(rows(service)).map(([key, action]) => [service, key, action] as const),
  );

/** An error as the AWS SDK v3 throws it: the exception name in `name`, the status in `$metadata`. */
const awsError = (name: string, status?: number) =>
  Object.assign(
    new Error(`${name} happened`),
    { name },
    status === undefined ? {} : { $metadata: { httpStatusCode: status } },
  );

describe('the failure table', () => {
  it('holds exactly the rows this test expects, shared and per service', () => {
    expect(FAILURE_TABLE).toEqual({ names: SHARED_NAMES, codes: SHARED_CODES, statuses: SHARED_STATUSES });
    expect(SERVICE_FAILURE_OVERRIDES).toEqual({
      dynamodb: OVERRIDES.dynamodb,
      ssm: OVERRIDES.ssm,
      segment: OVERRIDES.segment,
      kinesis: OVERRIDES.kinesis,
      eventbridge: OVERRIDES.eventbridge,
    });
    for (const service of SERVICES) {
      expect(failureTable(service)).toEqual({
        names: expectedNames(service),
        codes: SHARED_CODES,
        statuses: expectedStatuses(service),
      });
    }
  });

  it('cannot be changed at run time', () => {
    expect(Object.isFrozen(FAILURE_TABLE.names)).toBe(true);
    expect(Object.isFrozen(failureTable('dynamodb').names)).toBe(true);
    expect(Object.isFrozen(SERVICE_FAILURE_OVERRIDES.ssm?.names)).toBe(true);
  });

  describe('failureAction', () => {
    it.each(perService(expectedNames))('%s: exception %s is %s', (service, name, action) => {
      // Prepare
      const error = awsError(name);

      // Act
      const result = failureAction(error, service);

      // Assess
      expect(result).toBe(action);
    });

    it.each(perService(expectedNames))(
      '%s: exception %s in `code` (older clients) is %s',
      (service, name, action) => {
        expect(failureAction(Object.assign(new Error('x'), { code: name }), service)).toBe(action);
      },
    );

    it.each(perService(() => SHARED_CODES))('%s: Node network code %s is %s', (service, code, action) => {
      // Node puts the code in `code` and leaves `name` as plain Error.
      const error = Object.assign(new Error(`connect ${code} 127.0.0.1:443`), { code });

      expect(failureAction(error, service)).toBe(action);
    });

    it.each(
      perService((service) => {
        const { '4xx': _4xx, '5xx': _5xx, ...exact } = expectedStatuses(service);
        return exact;
      }),
    )('%s: an unknown exception with HTTP %s is %s', (service, status, action) => {
      expect(failureAction(awsError('SomethingNewException', Number(status)), service)).toBe(action);
    });

    it.each(
      SERVICES.flatMap((service) => [500, 502, 503, 504, 599].map((status) => [service, status] as const)),
    )('%s: any 5xx (%i) is retry', (service, status) => {
      expect(failureAction(awsError('SomethingNewException', status), service)).toBe('retry');
    });

    it.each(SERVICES.flatMap((service) => [402, 409, 422, 499].map((status) => [service, status] as const)))(
      '%s: any other 4xx (%i) is reject',
      (service, status) => {
        expect(failureAction(awsError('SomethingNewException', status), service)).toBe('reject');
      },
    );

    it('overrides a shared row for its service only', () => {
      const notFound = awsError('SomethingNewException', 404);
      const conditional = awsError('ConditionalCheckFailedException');

      expect(failureAction(notFound, 'segment')).toBe('retry');
      expect(failureAction(notFound, 'personalize')).toBe('configuration');
      expect(failureAction(conditional, 'dynamodb')).toBe('reject');
      expect(knownFailureAction(conditional, 'personalize')).toBeUndefined();
      expect(knownFailureAction(awsError('ParameterNotFound'), 'dynamodb')).toBeUndefined();
    });

    it('prefers the name to the status, and the status to nothing', () => {
      // ThrottlingException arrives with HTTP 400, which alone would mean reject.
      expect(failureAction(awsError('ThrottlingException', 400), 'personalize')).toBe('retry');
      expect(failureAction(awsError('AccessDeniedException', 500), 'dynamodb')).toBe('configuration');
      expect(failureAction(awsError('SomethingNewException', 400), 'dynamodb')).toBe('reject');
    });

    it('reads the status where HTTP clients put it: $metadata.httpStatusCode, statusCode, status', () => {
      expect(failureAction({ $metadata: { httpStatusCode: 403 } }, 'ssm')).toBe('configuration');
      expect(failureAction(Object.assign(new Error('x'), { statusCode: 400 }), 'segment')).toBe('reject');
      expect(failureAction({ status: 413 }, 'segment')).toBe('reject');
      expect(failureAction({ status: 404 }, 'segment')).toBe('retry');
    });

    it('ignores values that are not HTTP statuses', () => {
      for (const status of [0, 99, 600, 400.5, '400', Number.NaN]) {
        expect(knownFailureAction({ status }, 'personalize')).toBeUndefined();
      }
    });
  });

  describe('the unknown rule', () => {
    it('is retry: a guess must not drop the event', () => {
      expect(UNKNOWN_FAILURE_ACTION).toBe('retry');
    });

    it.each(SERVICES)('retries what no row knows (%s)', (service) => {
      const unknown = [
        new Error('plain'),
        new TypeError('a bug'),
        awsError('SomethingNewException'),
        Object.assign(new Error('x'), { code: 'ERR_SOMETHING' }),
      ];
      for (const error of unknown) {
        expect(knownFailureAction(error, service)).toBeUndefined();
        expect(failureAction(error, service)).toBe('retry');
      }
    });

    it.each([
      ['a string', 'ThrottlingException'],
      ['a number', 503],
      ['undefined', undefined],
      ['null', null],
      ['a symbol', Symbol('boom')],
      ['an empty object', {}],
    ])('retries a thrown non-error value (%s)', (_, value) => {
      expect(knownFailureAction(value, 'personalize')).toBeUndefined();
      expect(failureAction(value, 'personalize')).toBe('retry');
    });

    it('classifies an error-shaped object from another realm by its fields', () => {
      expect(failureAction({ name: 'ValidationException', message: 'x' }, 'personalize')).toBe('reject');
    });

    it('matches only real rows, not what every object inherits', () => {
      for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
        expect(knownFailureAction(Object.assign(new Error('x'), { name }), 'dynamodb')).toBeUndefined();
        expect(knownFailureAction({ code: name }, 'dynamodb')).toBeUndefined();
      }
    });
  });
});

describe('toTouchpointError', () => {
  it.each([
    ['ThrottlingException', RetryableError, 'failed transiently'],
    ['ValidationException', ValidationError, 'was rejected'],
    ['AccessDeniedException', ConfigurationError, 'failed'],
  ] as const)('turns %s into %p, with the failure as cause', (name, family, phrase) => {
    const failure = awsError(name, 400);

    const error = toTouchpointError(failure, 'dynamodb', 'DynamoDB PutItem on table "tp"');

    expect(error).toBeInstanceOf(family);
    expect(error.cause).toBe(failure);
    expect(error.message).toBe(
      `DynamoDB PutItem on table "tp" ${phrase} (${name}: ${name} happened)${
        family === ConfigurationError ? '; a retry cannot help: fix the deployment' : ''
      }`,
    );
  });

  it('adds the advice for the action it took, and only that one', () => {
    const advice = { configuration: 'grant the role ssm:GetParameter', retry: 'wait' };

    const denied = toTouchpointError(awsError('AccessDeniedException'), 'ssm', 'reading "/p"', advice);
    const rejected = toTouchpointError(awsError('ValidationException'), 'ssm', 'reading "/p"', advice);

    expect(denied.message).toBe(
      'reading "/p" failed (AccessDeniedException: AccessDeniedException happened); grant the role ssm:GetParameter',
    );
    expect(rejected.message).toBe(
      'reading "/p" was rejected (ValidationException: ValidationException happened)',
    );
  });

  it('makes an unknown failure, even a thrown string, a RetryableError', () => {
    const error = toTouchpointError('socket hang up', 'segment', 'Segment write-back');

    expect(error).toBeInstanceOf(RetryableError);
    expect(error.message).toBe('Segment write-back failed transiently (socket hang up)');
    expect(error.cause).toBe('socket hang up');
  });

  it('keeps the payload out of the message', () => {
    const failure = Object.assign(awsError('ValidationException', 400), {
      $response: { body: '{"email":"jane@example.com"}' },
    });

    expect(toTouchpointError(failure, 'dynamodb', 'DynamoDB PutItem').message).not.toContain('jane');
  });
});

describe('describeError', () => {
  it('is the name and the message of an error', () => {
    expect(describeError(new RetryableError('downstream 503'))).toBe('RetryableError: downstream 503');
    expect(describeError(awsError('ThrottlingException'))).toBe(
      'ThrottlingException: ThrottlingException happened',
    );
    expect(describeError(new Error(''))).toBe('Error');
  });

  it('says something for thrown values that are not errors, without calling their toString', () => {
    const sneaky = {
      toString: () => 'payload: jane@example.com',
    };
    const throwing = {
      toString: () => {
        throw new Error('no');
      },
    };

    expect(describeError('plain text')).toBe('plain text');
    expect(describeError(42)).toBe('42');
    expect(describeError(undefined)).toBe('undefined');
    expect(describeError(null)).toBe('null');
    expect(describeError(Symbol('boom'))).toBe('Symbol(boom)');
    expect(describeError(sneaky)).toBe('[object Object]');
    expect(describeError(throwing)).toBe('[object Object]');
    expect(describeError({ name: 'ThrottlingException', message: 'from another realm' })).toBe(
      'ThrottlingException: from another realm',
    );
  });

  it('never includes the cause, the stack or attached payloads', () => {
    const error = Object.assign(new Error('PutEvents failed', { cause: new Error('secret-cause') }), {
      $response: { body: 'secret-body' },
      ctx: { event: { traits: { email: 'secret-email' } } },
    });

    const description = describeError(error);

    expect(description).toBe('Error: PutEvents failed');
    expect(description).not.toMatch(/secret|at .*\.ts/);
  });

  it('is one line', () => {
    const error = new ConfigurationError(
      'invalid configuration:\n  TOUCHPOINT_STORE: bad\r\n  AWS_REGION:\tmissing',
    );

    expect(describeError(error)).toBe(
      'ConfigurationError: invalid configuration: TOUCHPOINT_STORE: bad AWS_REGION: missing',
    );
    expect(describeError('a\u2028b\u0000c')).toBe('a b c');
  });

  it('is bounded, and says when it was cut', () => {
    const long = new Error('x'.repeat(5 * DESCRIBE_ERROR_MAX_CHARS));
    const exact = 'y'.repeat(DESCRIBE_ERROR_MAX_CHARS);

    const description = describeError(long);

    expect(description).toHaveLength(DESCRIBE_ERROR_MAX_CHARS);
    expect(description.startsWith('Error: xxx')).toBe(true);
    expect(description.endsWith('…')).toBe(true);
    expect(describeError(exact)).toBe(exact);
  });
});
