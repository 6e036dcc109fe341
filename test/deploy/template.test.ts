import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, type CollectionTag, type ScalarTag, type YAMLMap, type YAMLSeq } from 'yaml';
import { SETTINGS } from '../../src/config/settings';

/**
 * Structural checks of template.yaml: what is deployed, with which permissions, and that the outputs are
 * exactly the settings Segment's Lambda destination asks for. CloudFormation short-form intrinsics are
 * parsed into their long form ({ Ref }, { 'Fn::GetAtt': [...] }, ...).
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Node = Record<string, Json>;

const INTRINSICS = [
  'Sub',
  'If',
  'Equals',
  'Not',
  'Or',
  'And',
  'Join',
  'Select',
  'Split',
  'FindInMap',
  'Base64',
  'GetAZs',
  'ImportValue',
];

function cloudFormationTags(): Array<ScalarTag | CollectionTag> {
  const tags: Array<ScalarTag | CollectionTag> = [
    { tag: '!Ref', resolve: (value: string) => ({ Ref: value }) },
    { tag: '!Condition', resolve: (value: string) => ({ Condition: value }) },
    { tag: '!GetAtt', resolve: (value: string) => ({ 'Fn::GetAtt': value.split('.') }) },
    {
      tag: '!GetAtt',
      collection: 'seq',
      resolve: (value: YAMLSeq | YAMLMap) => ({ 'Fn::GetAtt': value.toJSON() as Json }),
    },
  ] as Array<ScalarTag | CollectionTag>;
  for (const name of INTRINSICS) {
    tags.push({ tag: `!${name}`, resolve: (value: string) => ({ [`Fn::${name}`]: value }) } as ScalarTag);
    tags.push({
      tag: `!${name}`,
      collection: 'seq',
      resolve: (value: YAMLSeq | YAMLMap) => ({ [`Fn::${name}`]: value.toJSON() as Json }),
    } as CollectionTag);
  }
  return tags;
}

const template = parse(readFileSync(join(__dirname, '../../template.yaml'), 'utf8'), {
  customTags: cloudFormationTags(),
}) as Node;

const resources = template.Resources as Record<string, Node>;
const properties = (name: string) => resources[name]?.Properties as Node;
const ref = (name: string) => ({ Ref: name });
const NO_VALUE = ref('AWS::NoValue');

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: Json;
  Principal?: Json;
  Condition?: Json;
}

const actions = (statement: Statement) => [statement.Action].flat();

/** The stream (EnableStream / ExistingStreamArn) and the event bus (EventBusName) resources: all optional. */
const STREAM_RESOURCES = [
  'StreamFailureQueue',
  'StreamLogGroup',
  'StreamFunction',
  'StreamEventSourceMapping',
  'SegmentKinesisRole',
];
const BUS_RESOURCES = [
  'PaidSocialWelcomeStateMachine',
  'PaidSocialWelcomeStateMachineRole',
  'FirstTouchPaidSocialRule',
  'FirstTouchPaidSocialRuleRole',
];
const OPTIONAL_STREAM_AND_BUS_RESOURCES = ['AttributionStream', ...STREAM_RESOURCES, ...BUS_RESOURCES];
/** The stream the consumer reads: the existing one when its ARN is given, else the created one. */
const STREAM_ARN = {
  'Fn::If': [
    'HasExistingStream',
    { Ref: 'ExistingStreamArn' },
    { 'Fn::GetAtt': ['AttributionStream', 'Arn'] },
  ],
};

const parameters = template.Parameters as Record<string, Node>;
const conditions = template.Conditions as Node;

/** The function's statements, with any `!If [cond, statement, NoValue]` unwrapped to its statement. */
function functionStatements(
  name = 'DestinationFunction',
): Array<{ statement: Statement; condition: string | null }> {
  const policies = properties(name).Policies as Array<{ Statement: Json[] }>;
  expect(policies).toHaveLength(1);
  return (policies[0]?.Statement ?? []).map((entry) => {
    const conditional = (entry as Node)['Fn::If'] as [string, Statement, Json] | undefined;
    if (!conditional) return { statement: entry as unknown as Statement, condition: null };
    expect(conditional[2]).toEqual(NO_VALUE);
    return { statement: conditional[1], condition: conditional[0] };
  });
}

describe('template.yaml', () => {
  it('is a SAM template with exactly the function, its log group, the table, two alarms and the Segment role', () => {
    expect(template.Transform).toBe('AWS::Serverless-2016-10-31');
    expect(
      Object.fromEntries(Object.entries(resources).map(([name, resource]) => [name, resource.Type])),
    ).toEqual({
      AttributionTable: 'AWS::DynamoDB::Table',
      DestinationLogGroup: 'AWS::Logs::LogGroup',
      DestinationFunction: 'AWS::Serverless::Function',
      DeadLetterRateAlarm: 'AWS::CloudWatch::Alarm',
      InvocationErrorsAlarm: 'AWS::CloudWatch::Alarm',
      SegmentInvokeRole: 'AWS::IAM::Role',
      HttpApi: 'AWS::Serverless::HttpApi',
      HttpLogGroup: 'AWS::Logs::LogGroup',
      HttpFunction: 'AWS::Serverless::Function',
      AttributionStream: 'AWS::Kinesis::Stream',
      StreamFailureQueue: 'AWS::SQS::Queue',
      StreamLogGroup: 'AWS::Logs::LogGroup',
      StreamFunction: 'AWS::Serverless::Function',
      StreamEventSourceMapping: 'AWS::Lambda::EventSourceMapping',
      SegmentKinesisRole: 'AWS::IAM::Role',
      PaidSocialWelcomeStateMachine: 'AWS::StepFunctions::StateMachine',
      PaidSocialWelcomeStateMachineRole: 'AWS::IAM::Role',
      FirstTouchPaidSocialRule: 'AWS::Events::Rule',
      FirstTouchPaidSocialRuleRole: 'AWS::IAM::Role',
    });
  });

  it('deploys the prebuilt esbuild bundle on Node 22, arm64, within Segment’s 5 s budget', () => {
    expect(properties('DestinationFunction')).toMatchObject({
      CodeUri: 'dist/lambda/',
      Handler: 'segment-destination.handler',
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Timeout: 5,
      MemorySize: 512,
    });
    expect(resources.DestinationFunction?.Metadata).toBeUndefined(); // no SAM-managed esbuild build
  });

  it('configures the function from the stack: the table, the write-key parameter and Personalize', () => {
    const variables = (properties('DestinationFunction').Environment as Node).Variables as Node;
    expect(variables).toMatchObject({
      TOUCHPOINT_STORE: { 'Fn::Sub': 'dynamodb:${AttributionTable}' },
      SEGMENT_WRITE_KEY_PARAMETER: ref('SegmentWriteKeyParameter'),
      PERSONALIZE_TRACKING_ID: ref('PersonalizeTrackingId'),
      PERSONALIZE_REGION: ref('PersonalizeRegion'),
      PERSONALIZE_CAMPAIGN_ARN: ref('PersonalizeCampaignArn'),
      PERSONALIZE_RECOMMENDER_ARN: ref('PersonalizeRecommenderArn'),
      PERSONALIZE_FILTER_ARN: ref('PersonalizeFilterArn'),
      TOUCHPOINT_LOG_LEVEL: ref('LogLevel'),
      SEGMENT_HOST: ref('SegmentHost'),
      TOUCHPOINT_OUTBOX: '/tmp/touchpoint-outbox.jsonl', // for `sam local invoke` without a write key
    });
    expect(variables).not.toHaveProperty('NODE_OPTIONS'); // no --enable-source-maps: maps are opt-in
    expect(variables).not.toHaveProperty('SEGMENT_WRITE_KEY'); // the key lives in SSM, never in the template
    for (const value of Object.values(variables)) {
      const name = (value as Node | null)?.Ref;
      if (typeof name === 'string') expect(template.Parameters).toHaveProperty(name);
    }
  });

  it('has an env.json for `sam local invoke` that overrides only variables the template declares', () => {
    // SAM ignores env.json variables the function's Environment does not declare.
    const declared = (properties('DestinationFunction').Environment as Node).Variables as Node;
    const local = (
      JSON.parse(readFileSync(join(__dirname, '../../env.json'), 'utf8')) as Record<string, Node>
    ).DestinationFunction!;

    expect(Object.keys(local).filter((name) => !(name in declared))).toEqual([]);
    // No AWS resources and no Segment write key locally: memory store, identify calls to an outbox in /tmp.
    expect(local).toMatchObject({
      TOUCHPOINT_STORE: 'memory',
      SEGMENT_WRITE_KEY_PARAMETER: '',
      TOUCHPOINT_OUTBOX: '/tmp/touchpoint-outbox.jsonl',
      PERSONALIZE_TRACKING_ID: '',
    });
  });

  it('declares the parameters a deployer fills in', () => {
    expect(Object.keys(template.Parameters as Node)).toEqual(
      expect.arrayContaining([
        'ExternalId',
        'SegmentWriteKeyParameter',
        'PersonalizeTrackingId',
        'PersonalizeCampaignArn',
        'PersonalizeRecommenderArn',
        'PersonalizeFilterArn',
        'PersonalizeRelatedCampaignArn',
        'PersonalizeRelatedRecommenderArn',
        'PersonalizeUsersDatasetArn',
        'PersonalizeItemsDatasetArn',
        'LogLevel',
        'FunctionName',
        'SegmentHost',
        'KmsKeyArn',
        'SystemLogLevel',
        'LogRetentionDays',
        'ReservedConcurrency',
        'AlarmTopicArn',
      ]),
    );
    expect((template.Parameters as Record<string, Node>).ExternalId).not.toHaveProperty('Default');
  });

  it('creates an on-demand pk/sk table with TTL on `ttl` and point-in-time recovery, kept on stack deletion', () => {
    expect(resources.AttributionTable).toMatchObject({
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    expect(properties('AttributionTable')).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  it('grants the function only what the store, SSM and Personalize calls need', () => {
    const statements = functionStatements();
    const byAction = (action: string) =>
      statements.filter(({ statement }) => actions(statement).includes(action));

    expect(statements.every(({ statement }) => statement.Effect === 'Allow')).toBe(true);
    expect(byAction('dynamodb:Query')).toHaveLength(1);
    const table = byAction('dynamodb:Query')[0]!.statement;
    expect(actions(table).sort()).toEqual(
      [
        'dynamodb:BatchGetItem',
        'dynamodb:BatchWriteItem',
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
      ].sort(),
    );
    expect(table.Resource).toEqual({ 'Fn::GetAtt': ['AttributionTable', 'Arn'] });

    const ssm = byAction('ssm:GetParameter')[0]!.statement;
    expect(actions(ssm)).toEqual(['ssm:GetParameter']);
    expect(ssm.Resource).toEqual({
      'Fn::Sub':
        'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${SegmentWriteKeyParameter}',
    });

    const putEvents = byAction('personalize:PutEvents')[0]!;
    expect(putEvents.condition).toBe('HasTracking');
    expect(actions(putEvents.statement)).toEqual(['personalize:PutEvents']);
    expect(putEvents.statement.Resource).toBe('*');

    const recommendations = byAction('personalize:GetRecommendations')[0]!;
    expect(recommendations.condition).toBe('HasRecommendations');
    expect(actions(recommendations.statement)).toEqual(['personalize:GetRecommendations']);
    expect(recommendations.statement.Resource).toEqual([
      { 'Fn::If': ['HasCampaign', ref('PersonalizeCampaignArn'), NO_VALUE] },
      { 'Fn::If': ['HasRecommender', ref('PersonalizeRecommenderArn'), NO_VALUE] },
      { 'Fn::If': ['HasRelatedCampaign', ref('PersonalizeRelatedCampaignArn'), NO_VALUE] },
      { 'Fn::If': ['HasRelatedRecommender', ref('PersonalizeRelatedRecommenderArn'), NO_VALUE] },
      { 'Fn::If': ['HasFilter', ref('PersonalizeFilterArn'), NO_VALUE] },
    ]);

    const wildcard = statements.filter(({ statement }) => JSON.stringify(statement.Resource).includes('*'));
    expect(wildcard.map(({ statement }) => actions(statement))).toEqual([['personalize:PutEvents']]);
    expect(
      statements.flatMap(({ statement }) => actions(statement)).some((action) => action.includes('*')),
    ).toBe(false);
  });

  it('asks for Personalize, KMS and alarm actions only when their parameters are given', () => {
    const isSet = (parameter: string) => ({ 'Fn::Not': [{ 'Fn::Equals': [ref(parameter), ''] }] });
    expect(conditions).toEqual({
      HasCampaign: isSet('PersonalizeCampaignArn'),
      HasRecommender: isSet('PersonalizeRecommenderArn'),
      HasFilter: isSet('PersonalizeFilterArn'),
      HasRelatedCampaign: isSet('PersonalizeRelatedCampaignArn'),
      HasRelatedRecommender: isSet('PersonalizeRelatedRecommenderArn'),
      HasRecommendations: {
        'Fn::Or': [
          { Condition: 'HasCampaign' },
          { Condition: 'HasRecommender' },
          { Condition: 'HasRelatedCampaign' },
          { Condition: 'HasRelatedRecommender' },
        ],
      },
      HasUsersDataset: isSet('PersonalizeUsersDatasetArn'),
      HasItemsDataset: isSet('PersonalizeItemsDatasetArn'),
      HasTracking: isSet('PersonalizeTrackingId'),
      HasKmsKey: isSet('KmsKeyArn'),
      HasAlarmTopic: isSet('AlarmTopicArn'),
      HasReservedConcurrency: {
        'Fn::Not': [
          {
            'Fn::Or': [
              { 'Fn::Equals': [ref('ReservedConcurrency'), ''] },
              { 'Fn::Equals': [ref('ReservedConcurrency'), '0'] },
            ],
          },
        ],
      },
      HasHttpApi: { 'Fn::Equals': [ref('EnableHttpApi'), 'true'] },
      HasExistingStream: isSet('ExistingStreamArn'),
      CreateStream: conditions.CreateStream, // checked with the stream door below
      HasStream: conditions.HasStream,
      HasEventBus: isSet('EventBusName'),
    });
  });

  it('passes the related-items ARNs and the users and items dataset ARNs to every function, as the variables the code reads', () => {
    const names = {
      PERSONALIZE_RELATED_CAMPAIGN_ARN: 'PersonalizeRelatedCampaignArn',
      PERSONALIZE_RELATED_RECOMMENDER_ARN: 'PersonalizeRelatedRecommenderArn',
      PERSONALIZE_USERS_DATASET_ARN: 'PersonalizeUsersDatasetArn',
      PERSONALIZE_ITEMS_DATASET_ARN: 'PersonalizeItemsDatasetArn',
    };
    for (const variable of Object.keys(names)) expect(SETTINGS).toHaveProperty(variable);
    for (const name of ['DestinationFunction', 'HttpFunction', 'StreamFunction']) {
      const variables = (properties(name).Environment as Node).Variables as Node;
      for (const [variable, parameter] of Object.entries(names))
        expect(variables[variable]).toEqual(ref(parameter));
    }
    for (const parameter of Object.values(names))
      expect(parameters[parameter]).toMatchObject({ Type: 'String', Default: '' });
  });

  it('accepts only empty or well-formed ARNs of the right resource type for them', () => {
    const accepts = (parameter: string, value: string) =>
      new RegExp(String(parameters[parameter]!.AllowedPattern)).test(value);
    const arn = (type: string) => `arn:aws:personalize:us-east-1:123456789012:${type}/shop`;
    expect(accepts('PersonalizeRelatedCampaignArn', '')).toBe(true);
    expect(accepts('PersonalizeRelatedCampaignArn', arn('campaign'))).toBe(true);
    expect(accepts('PersonalizeRelatedCampaignArn', arn('recommender'))).toBe(false);
    expect(accepts('PersonalizeRelatedRecommenderArn', arn('recommender'))).toBe(true);
    expect(accepts('PersonalizeUsersDatasetArn', arn('dataset'))).toBe(true);
    expect(accepts('PersonalizeUsersDatasetArn', arn('campaign'))).toBe(false);
    expect(
      accepts(
        'PersonalizeItemsDatasetArn',
        'arn:aws-cn:personalize:cn-north-1:123456789012:dataset/shop/ITEMS',
      ),
    ).toBe(true);
    expect(accepts('PersonalizeItemsDatasetArn', 'dataset/shop')).toBe(false);
  });

  it('grants PutUsers and PutItems only on the given datasets, only when given, in every function', () => {
    for (const name of ['DestinationFunction', 'HttpFunction', 'StreamFunction']) {
      const statements = functionStatements(name);
      const byAction = (action: string) =>
        statements.filter(({ statement }) => actions(statement).includes(action));
      expect(byAction('personalize:PutUsers')).toEqual([
        {
          condition: 'HasUsersDataset',
          statement: expect.objectContaining({
            Effect: 'Allow',
            Action: 'personalize:PutUsers',
            Resource: ref('PersonalizeUsersDatasetArn'),
          }) as Statement,
        },
      ]);
      expect(byAction('personalize:PutItems')).toEqual([
        {
          condition: 'HasItemsDataset',
          statement: expect.objectContaining({
            Effect: 'Allow',
            Action: 'personalize:PutItems',
            Resource: ref('PersonalizeItemsDatasetArn'),
          }) as Statement,
        },
      ]);
      const recommendations = byAction('personalize:GetRecommendations');
      expect(recommendations).toHaveLength(1);
      expect(recommendations[0]!.statement.Resource).toEqual(
        expect.arrayContaining([
          { 'Fn::If': ['HasRelatedCampaign', ref('PersonalizeRelatedCampaignArn'), NO_VALUE] },
          { 'Fn::If': ['HasRelatedRecommender', ref('PersonalizeRelatedRecommenderArn'), NO_VALUE] },
        ]),
      );
    }
  });

  it('grants kms:Decrypt on the customer-managed key only when one is given, and only through SSM', () => {
    const decrypt = functionStatements().filter(({ statement }) =>
      actions(statement).includes('kms:Decrypt'),
    );

    expect(decrypt).toEqual([
      {
        condition: 'HasKmsKey',
        statement: {
          Sid: 'DecryptWriteKeyParameter',
          Effect: 'Allow',
          Action: 'kms:Decrypt',
          Resource: ref('KmsKeyArn'),
          Condition: {
            StringEquals: { 'kms:ViaService': { 'Fn::Sub': 'ssm.${AWS::Region}.${AWS::URLSuffix}' } },
          },
        },
      },
    ]);
    expect(parameters.KmsKeyArn).toMatchObject({ Default: '' });
    const pattern = new RegExp(parameters.KmsKeyArn!.AllowedPattern as string);
    expect(pattern.test('')).toBe(true);
    expect(
      pattern.test('arn:aws-cn:kms:cn-north-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'),
    ).toBe(true);
    expect(pattern.test('alias/aws/ssm')).toBe(false);
  });

  it('builds every ARN it writes with ${AWS::Partition}, so it deploys in China and GovCloud too', () => {
    const text = readFileSync(join(__dirname, '../../template.yaml'), 'utf8');
    const hardCoded = text.match(/arn:aws:[a-z0-9-]+:[^\n]*/g) ?? [];
    // The one fixed ARN is Segment's own account (in the Lambda and the Kinesis role), which is in the aws
    // partition by definition.
    expect([...new Set(hardCoded)]).toEqual(['arn:aws:iam::595280932656:root']);
  });

  it('sends write-backs to the US or the EU Segment endpoint, US by default', () => {
    expect(parameters.SegmentHost).toMatchObject({
      Type: 'String',
      Default: 'https://api.segment.io',
      AllowedValues: ['https://api.segment.io', 'https://events.eu1.segmentapis.com'],
    });
  });

  it('logs JSON to its own log group, with the application level from LogLevel and a retention (30 days)', () => {
    const logging = properties('DestinationFunction').LoggingConfig as Node;
    expect(logging).toEqual({
      LogFormat: 'JSON',
      ApplicationLogLevel: { 'Fn::FindInMap': ['ApplicationLogLevels', ref('LogLevel'), 'Level'] },
      SystemLogLevel: ref('SystemLogLevel'),
      LogGroup: ref('DestinationLogGroup'),
    });
    // Every TOUCHPOINT_LOG_LEVEL maps to a Lambda level; silent to FATAL, which touchpoint never writes.
    const levels = (template.Mappings as Record<string, Record<string, { Level: string }>>)
      .ApplicationLogLevels!;
    expect(Object.keys(levels).sort()).toEqual([...(parameters.LogLevel!.AllowedValues as string[])].sort());
    expect(Object.fromEntries(Object.entries(levels).map(([name, { Level }]) => [name, Level]))).toEqual({
      debug: 'DEBUG',
      info: 'INFO',
      warn: 'WARN',
      error: 'ERROR',
      silent: 'FATAL',
    });
    expect(parameters.SystemLogLevel).toMatchObject({
      Default: 'INFO',
      AllowedValues: ['DEBUG', 'INFO', 'WARN'],
    });

    expect(properties('DestinationLogGroup')).toEqual({
      LogGroupName: { 'Fn::Sub': '/aws/lambda/${FunctionName}' },
      RetentionInDays: ref('LogRetentionDays'),
    });
    expect(parameters.LogRetentionDays).toMatchObject({ Type: 'Number', Default: 30 });
    expect(parameters.LogRetentionDays!.AllowedValues).toEqual(
      expect.arrayContaining([1, 7, 30, 90, 365, 3653]),
    );
  });

  it('has a fixed, parameterised function name (touchpoint-destination) and outputs it', () => {
    expect(properties('DestinationFunction').FunctionName).toEqual(ref('FunctionName'));
    expect(parameters.FunctionName).toMatchObject({ Default: 'touchpoint-destination' });
    expect((template.Outputs as Record<string, { Value: Json }>).FunctionName?.Value).toEqual(
      ref('DestinationFunction'),
    );
  });

  it('reserves concurrency only when ReservedConcurrency is a positive number', () => {
    expect(properties('DestinationFunction').ReservedConcurrentExecutions).toEqual({
      'Fn::If': ['HasReservedConcurrency', ref('ReservedConcurrency'), NO_VALUE],
    });
    expect(parameters.ReservedConcurrency).toMatchObject({ Type: 'String', Default: '' });
    const pattern = new RegExp(parameters.ReservedConcurrency!.AllowedPattern as string);
    expect(['', '0', '25'].every((value) => pattern.test(value))).toBe(true);
    expect(['-1', 'ten'].some((value) => pattern.test(value))).toBe(false);
  });

  describe('alarms', () => {
    const actionsWhenTopicGiven = {
      AlarmActions: { 'Fn::If': ['HasAlarmTopic', [ref('AlarmTopicArn')], NO_VALUE] },
      OKActions: { 'Fn::If': ['HasAlarmTopic', [ref('AlarmTopicArn')], NO_VALUE] },
    };
    const touchpointMetric = (name: string) => ({
      Metric: {
        Namespace: 'Touchpoint',
        MetricName: name,
        Dimensions: [{ Name: 'service', Value: 'touchpoint' }], // what src/metrics writes by default
      },
      Period: 300,
      Stat: 'Sum',
    });

    it('alarms on the dead-letter rate: DeadLettered over Received, from the EMF metrics', () => {
      const alarm = properties('DeadLetterRateAlarm');
      expect(alarm).toMatchObject({
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: ref('DeadLetterRateThreshold'),
        EvaluationPeriods: 3,
        DatapointsToAlarm: 3,
        TreatMissingData: 'notBreaching',
        ...actionsWhenTopicGiven,
      });
      expect(alarm.Metrics).toEqual([
        expect.objectContaining({
          Id: 'rate',
          Expression: 'IF(received > 0, 100 * deadLettered / received, 0)',
          ReturnData: true,
        }),
        { Id: 'deadLettered', MetricStat: touchpointMetric('DeadLettered'), ReturnData: false },
        { Id: 'received', MetricStat: touchpointMetric('Received'), ReturnData: false },
      ]);
    });

    it("alarms on the function's invocation errors", () => {
      expect(properties('InvocationErrorsAlarm')).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: ref('DestinationFunction') }],
        Statistic: 'Sum',
        Period: 300,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: ref('InvocationErrorsThreshold'),
        TreatMissingData: 'notBreaching',
        ...actionsWhenTopicGiven,
      });
    });

    it('notifies the optional SNS topic only when one is given', () => {
      expect(parameters.AlarmTopicArn).toMatchObject({ Default: '' });
      expect(conditions.HasAlarmTopic).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [ref('AlarmTopicArn'), ''] }] });
    });
  });

  it("lets only Segment's AWS account assume the invoke role, and only with the workspace's external id", () => {
    const trust = properties('SegmentInvokeRole').AssumeRolePolicyDocument as unknown as {
      Statement: Statement[];
    };
    expect(trust.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::595280932656:root' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': ref('ExternalId') } },
      },
    ]);
  });

  it('lets the Segment role invoke this function and nothing else', () => {
    const policies = properties('SegmentInvokeRole').Policies as unknown as Array<{
      PolicyDocument: { Statement: Statement[] };
    }>;
    expect(properties('SegmentInvokeRole').ManagedPolicyArns).toBeUndefined();
    const statements = policies.flatMap((policy) => policy.PolicyDocument.Statement);
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: [
          { 'Fn::GetAtt': ['DestinationFunction', 'Arn'] },
          { 'Fn::Sub': '${DestinationFunction.Arn}:*' },
        ],
      },
    ]);
  });

  it("outputs the four values Segment's Lambda destination settings ask for, and the function name", () => {
    const outputs = template.Outputs as Record<string, { Value: Json }>;
    expect(Object.fromEntries(Object.entries(outputs).map(([name, output]) => [name, output.Value]))).toEqual(
      {
        LambdaFunctionArn: { 'Fn::GetAtt': ['DestinationFunction', 'Arn'] },
        RoleAddress: { 'Fn::GetAtt': ['SegmentInvokeRole', 'Arn'] },
        ExternalId: ref('ExternalId'),
        Region: ref('AWS::Region'),
        FunctionName: ref('DestinationFunction'),
        WebhookUrl: { 'Fn::Sub': 'https://${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/segment' },
        PixelUrl: { 'Fn::Sub': 'https://${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/t.gif' },
        WebViewUrl: { 'Fn::Sub': 'https://${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/' },
        StreamArn: STREAM_ARN,
        KinesisRoleAddress: { 'Fn::GetAtt': ['SegmentKinesisRole', 'Arn'] },
        StreamFailureQueueUrl: ref('StreamFailureQueue'),
        PaidSocialStateMachineArn: ref('PaidSocialWelcomeStateMachine'),
      },
    );
  });
});

describe('template.yaml: the optional HTTP API (EnableHttpApi)', () => {
  const HTTP_RESOURCES = ['HttpApi', 'HttpLogGroup', 'HttpFunction'];
  const outputs = template.Outputs as Record<string, Node>;

  it('is off by default, and every HTTP resource and output exists only when EnableHttpApi is true', () => {
    expect(parameters.EnableHttpApi).toMatchObject({
      Type: 'String',
      Default: 'false',
      AllowedValues: ['true', 'false'],
    });
    expect(conditions.HasHttpApi).toEqual({ 'Fn::Equals': [ref('EnableHttpApi'), 'true'] });
    for (const name of HTTP_RESOURCES) expect(resources[name]?.Condition).toBe('HasHttpApi');
    for (const name of ['WebhookUrl', 'PixelUrl', 'WebViewUrl'])
      expect(outputs[name]?.Condition).toBe('HasHttpApi');
    for (const [name, resource] of Object.entries(resources)) {
      if (!HTTP_RESOURCES.includes(name) && !OPTIONAL_STREAM_AND_BUS_RESOURCES.includes(name))
        expect(resource.Condition).toBeUndefined();
    }
  });

  it('throttles every route and has no CORS configuration (the web view calls its own origin)', () => {
    expect(properties('HttpApi').DefaultRouteSettings).toEqual({
      ThrottlingRateLimit: ref('HttpThrottlingRateLimit'),
      ThrottlingBurstLimit: ref('HttpThrottlingBurstLimit'),
    });
    expect(properties('HttpApi')).not.toHaveProperty('CorsConfiguration');
    expect(properties('HttpApi')).not.toHaveProperty('Auth'); // the function checks signatures and tokens
  });

  it('routes the webhook, the pixel, the profile API and the web view to the HTTP Lambda, payload format 2.0', () => {
    const events = properties('HttpFunction').Events as Record<string, { Type: string; Properties: Node }>;
    const routes = Object.values(events).map((event) => {
      expect(event.Type).toBe('HttpApi');
      expect(event.Properties).toMatchObject({ ApiId: ref('HttpApi'), PayloadFormatVersion: '2.0' });
      return `${String(event.Properties.Method)} ${String(event.Properties.Path)}`;
    });
    expect(routes.sort()).toEqual(
      [
        'POST /segment',
        'GET /t.gif',
        'GET /api/users/{id}',
        'GET /api/anonymous/{id}',
        'GET /api/summary',
        'GET /',
        'GET /assets/{file}',
      ].sort(),
    );
  });

  it('deploys the HTTP bundle on Node 22, arm64, logging JSON to its own log group', () => {
    expect(properties('HttpFunction')).toMatchObject({
      CodeUri: 'dist/lambda-http/',
      Handler: 'http.handler',
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      LoggingConfig: expect.objectContaining({ LogFormat: 'JSON', LogGroup: ref('HttpLogGroup') }),
    });
    expect(properties('HttpLogGroup')).toEqual({
      LogGroupName: { 'Fn::Sub': '/aws/lambda/${FunctionName}-http' },
      RetentionInDays: ref('LogRetentionDays'),
    });
  });

  it('reads the webhook secret and the API token from SSM parameters, never from the template', () => {
    const variables = (properties('HttpFunction').Environment as Node).Variables as Node;
    expect(variables).toMatchObject({
      TOUCHPOINT_STORE: { 'Fn::Sub': 'dynamodb:${AttributionTable}' },
      SEGMENT_WRITE_KEY_PARAMETER: ref('SegmentWriteKeyParameter'),
      TOUCHPOINT_WEBHOOK_SECRET_PARAMETER: ref('WebhookSecretParameter'),
      TOUCHPOINT_API_TOKEN_PARAMETER: ref('ApiTokenParameter'),
    });
    for (const secret of ['TOUCHPOINT_WEBHOOK_SECRET', 'TOUCHPOINT_API_TOKEN', 'SEGMENT_WRITE_KEY']) {
      expect(variables).not.toHaveProperty(secret);
    }
    const statements = (
      properties('HttpFunction').Policies as unknown as Array<{ Statement: Statement[] }>
    )[0]!.Statement;
    const ssm = statements.find((statement) => statement.Sid === 'ReadSecretParameters');
    expect(ssm).toEqual({
      Sid: 'ReadSecretParameters',
      Effect: 'Allow',
      Action: 'ssm:GetParameter',
      Resource: ['SegmentWriteKeyParameter', 'WebhookSecretParameter', 'ApiTokenParameter'].map((name) => ({
        'Fn::Sub': `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter\${${name}}`,
      })),
    });
    const table = statements.find((statement) => statement.Sid === 'AttributionTableReadWrite');
    expect(table?.Resource).toEqual({ 'Fn::GetAtt': ['AttributionTable', 'Arn'] });
    expect(actions(table!)).toContain('dynamodb:Scan'); // the web view's newest profiles
  });
});

/** cfn-lint checks the template against the CloudFormation and SAM specifications (pip install cfn-lint). */
const cfnLint = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
const cfnLintAvailable = cfnLint.status === 0;
if (!cfnLintAvailable) {
  console.warn('cfn-lint is not installed (pip install cfn-lint): the template lint test is skipped');
}

describe('template.yaml under cfn-lint', () => {
  (cfnLintAvailable ? it : it.skip)('passes with no errors or warnings', () => {
    const result = spawnSync('cfn-lint', ['--format', 'parseable', 'template.yaml'], {
      cwd: join(__dirname, '../..'),
      encoding: 'utf8',
    });
    expect({ status: result.status, findings: result.stdout.trim() }).toEqual({ status: 0, findings: '' });
  });
});

describe('template.yaml: the optional stream door and attribution events', () => {
  const outputs = template.Outputs as Record<string, Node>;
  /** StreamFunction's statements, `!If [cond, statement, NoValue]` unwrapped. */
  const streamStatements = () =>
    ((properties('StreamFunction').Policies as Array<{ Statement: Json[] }>)[0]?.Statement ?? []).map(
      (entry) => {
        const conditional = (entry as Node)['Fn::If'] as [string, Statement, Json] | undefined;
        return conditional
          ? { statement: conditional[1], condition: conditional[0] }
          : { statement: entry as unknown as Statement, condition: null };
      },
    );

  it('creates a stream only when asked and no existing stream ARN is given; everything else follows HasStream', () => {
    expect(parameters.EnableStream).toMatchObject({ Default: 'false', AllowedValues: ['true', 'false'] });
    expect(parameters.ExistingStreamArn).toMatchObject({ Default: '' });
    expect(conditions.CreateStream).toEqual({
      'Fn::And': [
        { 'Fn::Equals': [ref('EnableStream'), 'true'] },
        { 'Fn::Not': [{ Condition: 'HasExistingStream' }] },
      ],
    });
    expect(conditions.HasStream).toEqual({
      'Fn::Or': [{ Condition: 'CreateStream' }, { Condition: 'HasExistingStream' }],
    });
    expect(resources.AttributionStream?.Condition).toBe('CreateStream');
    for (const name of STREAM_RESOURCES) expect(resources[name]?.Condition).toBe('HasStream');
    for (const name of ['StreamArn', 'KinesisRoleAddress', 'StreamFailureQueueUrl'])
      expect(outputs[name]?.Condition).toBe('HasStream');
    expect(properties('AttributionStream')).toMatchObject({
      ShardCount: ref('StreamShardCount'),
      StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
    });
  });

  it('maps the stream to the consumer in batches, reporting failed items, bisecting, with an SQS on-failure destination', () => {
    expect(properties('StreamEventSourceMapping')).toEqual({
      EventSourceArn: STREAM_ARN,
      FunctionName: ref('StreamFunction'),
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: ref('StreamBatchSize'),
      MaximumBatchingWindowInSeconds: ref('StreamBatchingWindowSeconds'),
      ParallelizationFactor: ref('StreamParallelizationFactor'),
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: 10,
      MaximumRecordAgeInSeconds: 86400,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['StreamFailureQueue', 'Arn'] } } },
    });
    expect(parameters.StreamBatchSize).toMatchObject({ Default: 500, MinValue: 1, MaxValue: 10000 });
    expect(parameters.StreamParallelizationFactor).toMatchObject({ Default: 1, MinValue: 1, MaxValue: 10 });
  });

  it('runs the same bundle as the Segment destination, with a batch-sized timeout and deadline', () => {
    expect(properties('StreamFunction')).toMatchObject({
      CodeUri: 'dist/lambda/',
      Handler: 'segment-destination.handler',
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Timeout: 60,
    });
    const variables = (properties('StreamFunction').Environment as Node).Variables as Node;
    expect(variables).toMatchObject({
      TOUCHPOINT_STORE: { 'Fn::Sub': 'dynamodb:${AttributionTable}' },
      TOUCHPOINT_EVENT_BUS: ref('EventBusName'),
      TOUCHPOINT_DEADLINE_MS: '50000',
    });
    expect(Number(variables.TOUCHPOINT_DEADLINE_MS)).toBeLessThan(60_000);
  });

  it('lets the consumer read only its stream and send only to its failure queue', () => {
    const statements = streamStatements();
    const read = statements.find(({ statement }) => actions(statement).includes('kinesis:GetRecords'))!;
    expect(read.condition).toBeNull();
    expect(actions(read.statement).sort()).toEqual([
      'kinesis:DescribeStream',
      'kinesis:DescribeStreamSummary',
      'kinesis:GetRecords',
      'kinesis:GetShardIterator',
      'kinesis:ListShards',
    ]);
    expect(read.statement.Resource).toEqual(STREAM_ARN);
    const send = statements.find(({ statement }) => actions(statement).includes('sqs:SendMessage'))!;
    expect(send.statement.Resource).toEqual({ 'Fn::GetAtt': ['StreamFailureQueue', 'Arn'] });
    const wildcard = statements.filter(({ statement }) => JSON.stringify(statement.Resource).includes('*'));
    expect(wildcard.map(({ statement }) => actions(statement))).toEqual([['personalize:PutEvents']]);
    expect(
      statements.flatMap(({ statement }) => actions(statement)).some((action) => action.includes('*')),
    ).toBe(false);
  });

  it("lets only Segment's account put records into the stream, with the workspace's external id", () => {
    const role = properties('SegmentKinesisRole');
    expect((role.AssumeRolePolicyDocument as Node).Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::595280932656:root' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': ref('ExternalId') } },
      },
    ]);
    const [policy] = role.Policies as unknown as Array<{ PolicyDocument: { Statement: Statement[] } }>;
    expect(policy?.PolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Action: ['kinesis:PutRecord', 'kinesis:PutRecords'], Resource: STREAM_ARN },
      {
        Effect: 'Allow',
        Action: 'iam:SimulatePrincipalPolicy',
        Resource: {
          'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${FunctionName}-segment-kinesis',
        },
      },
    ]);
    expect(role.RoleName).toEqual({ 'Fn::Sub': '${FunctionName}-segment-kinesis' });
  });

  it('publishes Attribution Changed only with a bus, with events:PutEvents on that bus alone, from both functions', () => {
    expect(parameters.EventBusName).toMatchObject({ Default: '' });
    expect(conditions.HasEventBus).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [ref('EventBusName'), ''] }] });
    const busArn = {
      'Fn::Sub': 'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/${EventBusName}',
    };
    for (const statements of [functionStatements(), streamStatements()]) {
      const put = statements.filter(({ statement }) => actions(statement).includes('events:PutEvents'));
      expect(put).toEqual([
        {
          condition: 'HasEventBus',
          statement: {
            Sid: 'PublishAttributionChanged',
            Effect: 'Allow',
            Action: 'events:PutEvents',
            Resource: busArn,
          },
        },
      ]);
    }
    expect(
      ((properties('DestinationFunction').Environment as Node).Variables as Node).TOUCHPOINT_EVENT_BUS,
    ).toEqual(ref('EventBusName'));
  });

  it('starts the example state machine when a first touch becomes Paid Social, with a role that may only start it', () => {
    for (const name of BUS_RESOURCES) expect(resources[name]?.Condition).toBe('HasEventBus');
    expect(outputs.PaidSocialStateMachineArn?.Condition).toBe('HasEventBus');
    const rule = properties('FirstTouchPaidSocialRule');
    expect(rule.EventBusName).toEqual(ref('EventBusName'));
    expect(rule.EventPattern).toEqual({
      source: ['touchpoint'],
      'detail-type': ['Attribution Changed'],
      detail: { changed: ['firstTouch'], firstTouch: { new: { channel: ['Paid Social'] } } },
    });
    expect(rule.Targets).toEqual([
      {
        Id: 'paid-social-welcome',
        Arn: ref('PaidSocialWelcomeStateMachine'),
        RoleArn: { 'Fn::GetAtt': ['FirstTouchPaidSocialRuleRole', 'Arn'] },
      },
    ]);
    const [policy] = properties('FirstTouchPaidSocialRuleRole').Policies as unknown as Array<{
      PolicyDocument: { Statement: Statement[] };
    }>;
    expect(policy?.PolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Action: 'states:StartExecution', Resource: ref('PaidSocialWelcomeStateMachine') },
    ]);
    expect(properties('PaidSocialWelcomeStateMachineRole').Policies).toBeUndefined();

    const definition = JSON.parse(properties('PaidSocialWelcomeStateMachine').DefinitionString as string) as {
      StartAt: string;
      States: Record<string, { Type: string; Parameters?: Record<string, string> }>;
    };
    expect(definition.StartAt).toBe('PickProfile');
    expect(definition.States.PickProfile?.Parameters).toMatchObject({
      'target.$': '$.detail.profile.target',
      'campaign.$': '$.detail.firstTouch.new.campaign',
    });
    expect(Object.values(definition.States).map((state) => state.Type)).toEqual(['Pass', 'Succeed']);
  });
});
