import { createInvocationMetrics, type InvocationCounts } from '../../src/metrics';

const counts: InvocationCounts = {
  received: 4,
  processed: 2,
  duplicates: 1,
  ignored: 0,
  deadLettered: 1,
  touches: 2,
  identifyCalls: 3,
  creditCalls: 1,
};

interface EmfDocument {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: Array<{
      Namespace: string;
      Dimensions: string[][];
      Metrics: Array<{ Name: string; Unit: string }>;
    }>;
  };
  [key: string]: unknown;
}

function recordOne(outcome: { durationMs: number; deadlineExceeded: boolean; failedService?: string }) {
  const lines: string[] = [];
  createInvocationMetrics((line) => lines.push(line)).record(counts, outcome);
  return lines.map((line) => JSON.parse(line) as EmfDocument);
}

describe('createInvocationMetrics', () => {
  it('writes one EMF document per invocation: namespace Touchpoint, service dimension, every count', () => {
    // Act
    const documents = recordOne({ durationMs: 123, deadlineExceeded: false });

    // Assess
    expect(documents).toHaveLength(1);
    const [emf] = documents;
    expect(emf!._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: 'Touchpoint',
        Dimensions: [['service']],
        Metrics: [
          { Name: 'Received', Unit: 'Count' },
          { Name: 'Processed', Unit: 'Count' },
          { Name: 'Duplicates', Unit: 'Count' },
          { Name: 'Ignored', Unit: 'Count' },
          { Name: 'DeadLettered', Unit: 'Count' },
          { Name: 'Touches', Unit: 'Count' },
          { Name: 'IdentifyCalls', Unit: 'Count' },
          { Name: 'CreditCalls', Unit: 'Count' },
          { Name: 'InvocationDuration', Unit: 'Milliseconds' },
          { Name: 'DeadlineExceeded', Unit: 'Count' },
        ],
      },
    ]);
    expect(emf).toEqual({
      _aws: expect.objectContaining({ Timestamp: expect.any(Number) }),
      service: 'touchpoint',
      Received: 4,
      Processed: 2,
      Duplicates: 1,
      Ignored: 0,
      DeadLettered: 1,
      Touches: 2,
      IdentifyCalls: 3,
      CreditCalls: 1,
      InvocationDuration: 123,
      DeadlineExceeded: 0,
    });
    expect(Math.abs(emf!._aws.Timestamp - Date.now())).toBeLessThan(60_000);
  });

  it('counts a deadline exceeded and adds a DownstreamFailures document under the Service dimension', () => {
    const documents = recordOne({ durationMs: 4700, deadlineExceeded: true, failedService: 'segment' });

    expect(documents).toHaveLength(2);
    expect(documents[0]).toMatchObject({ DeadlineExceeded: 1, InvocationDuration: 4700 });
    expect(documents[0]).not.toHaveProperty('Service');
    expect(documents[1]).toEqual({
      _aws: {
        Timestamp: expect.any(Number),
        CloudWatchMetrics: [
          {
            Namespace: 'Touchpoint',
            Dimensions: [['service', 'Service']],
            Metrics: [{ Name: 'DownstreamFailures', Unit: 'Count' }],
          },
        ],
      },
      service: 'touchpoint',
      Service: 'segment',
      DownstreamFailures: 1,
    });
  });

  it('starts every invocation afresh: nothing of the previous one is carried over', () => {
    const lines: string[] = [];
    const metrics = createInvocationMetrics((line) => lines.push(line));

    metrics.record(counts, { durationMs: 10, deadlineExceeded: false, failedService: 'personalize' });
    metrics.record({ ...counts, processed: 7 }, { durationMs: 20, deadlineExceeded: false });

    expect(lines).toHaveLength(3);
    const last = JSON.parse(lines[2]!) as EmfDocument;
    expect(last).toMatchObject({ Processed: 7, InvocationDuration: 20 });
    expect(last).not.toHaveProperty('Service');
    expect(last._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['service']]);
  });

  it('writes nothing when POWERTOOLS_METRICS_DISABLED is true (Powertools’ own switch)', () => {
    const saved = process.env.POWERTOOLS_METRICS_DISABLED;
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    try {
      const lines: string[] = [];
      createInvocationMetrics((line) => lines.push(line)).record(counts, {
        durationMs: 1,
        deadlineExceeded: false,
        failedService: 'segment',
      });

      expect(lines).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED;
      else process.env.POWERTOOLS_METRICS_DISABLED = saved;
    }
  });

  it('writes to stdout by default, one line per document', () => {
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      createInvocationMetrics(undefined, { service: 'touchpoint-eu' }).record(counts, {
        durationMs: 5,
        deadlineExceeded: false,
      });

      expect(out).toHaveBeenCalledTimes(1);
      const written = String(out.mock.calls[0]![0]);
      expect(written.endsWith('\n')).toBe(true);
      expect(JSON.parse(written)).toMatchObject({ service: 'touchpoint-eu', Processed: 2 });
    } finally {
      out.mockRestore();
    }
  });
});
