import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, type CollectionTag, type ScalarTag, type YAMLMap, type YAMLSeq } from 'yaml';

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

const parameters = template.Parameters as Record<string, Node>;
const conditions = template.Conditions as Node;

/** The function's statements, with any `!If [cond, statement, NoValue]` unwrapped to its statement. */
function functionStatements(): Array<{ statement: Statement; condition: string | null }> {
  const policies = properties('DestinationFunction').Policies as Array<{ Statement: Json[] }>;
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
      HasRecommendations: { 'Fn::Or': [{ Condition: 'HasCampaign' }, { Condition: 'HasRecommender' }] },
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
    });
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
    // The one fixed ARN is Segment's own account, which is in the aws partition by definition.
    expect(hardCoded).toEqual(['arn:aws:iam::595280932656:root']);
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
      },
    );
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
