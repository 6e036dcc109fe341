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
  it('is a SAM template with exactly the function, the table and the Segment role', () => {
    expect(template.Transform).toBe('AWS::Serverless-2016-10-31');
    expect(
      Object.fromEntries(Object.entries(resources).map(([name, resource]) => [name, resource.Type])),
    ).toEqual({
      AttributionTable: 'AWS::DynamoDB::Table',
      DestinationFunction: 'AWS::Serverless::Function',
      SegmentInvokeRole: 'AWS::IAM::Role',
    });
  });

  it('deploys the prebuilt esbuild bundle on Node 22, arm64, within Segment’s 5 s budget', () => {
    expect(properties('DestinationFunction')).toMatchObject({
      CodeUri: 'dist/',
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
      PERSONALIZE_CAMPAIGN_ARN: ref('PersonalizeCampaignArn'),
      PERSONALIZE_RECOMMENDER_ARN: ref('PersonalizeRecommenderArn'),
      PERSONALIZE_FILTER_ARN: ref('PersonalizeFilterArn'),
      TOUCHPOINT_LOG_LEVEL: ref('LogLevel'),
    });
    expect(variables).not.toHaveProperty('SEGMENT_WRITE_KEY'); // the key lives in SSM, never in the template
    for (const value of Object.values(variables)) {
      const name = (value as Node | null)?.Ref;
      if (typeof name === 'string') expect(template.Parameters).toHaveProperty(name);
    }
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

    const putEvents = byAction('personalize:PutEvents')[0]!.statement;
    expect(actions(putEvents)).toEqual(['personalize:PutEvents']);
    expect(putEvents.Resource).toBe('*');

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

  it('asks for recommendations permission only when a campaign or recommender is given', () => {
    const conditions = template.Conditions as Node;
    expect(conditions).toEqual({
      HasCampaign: { 'Fn::Not': [{ 'Fn::Equals': [ref('PersonalizeCampaignArn'), ''] }] },
      HasRecommender: { 'Fn::Not': [{ 'Fn::Equals': [ref('PersonalizeRecommenderArn'), ''] }] },
      HasFilter: { 'Fn::Not': [{ 'Fn::Equals': [ref('PersonalizeFilterArn'), ''] }] },
      HasRecommendations: { 'Fn::Or': [{ Condition: 'HasCampaign' }, { Condition: 'HasRecommender' }] },
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

  it("outputs exactly the four values Segment's Lambda destination settings ask for", () => {
    const outputs = template.Outputs as Record<string, { Value: Json }>;
    expect(Object.fromEntries(Object.entries(outputs).map(([name, output]) => [name, output.Value]))).toEqual(
      {
        LambdaFunctionArn: { 'Fn::GetAtt': ['DestinationFunction', 'Arn'] },
        RoleAddress: { 'Fn::GetAtt': ['SegmentInvokeRole', 'Arn'] },
        ExternalId: ref('ExternalId'),
        Region: ref('AWS::Region'),
      },
    );
  });
});
