import { handle, type LambdaContext, type LambdaEvent } from 'hono/aws-lambda';
import { appOnce, createApp } from '../src/app';
import { createHttpRoutes } from '../src/http';
import { createInvocationMetrics } from '../src/metrics';

/** What hono's Lambda adapter hands the routes as bindings. */
interface LambdaBindings {
  event: LambdaEvent;
  lambdaContext?: LambdaContext;
}

/**
 * The HTTP doors as a Lambda behind an API Gateway HTTP API (payload format 2.0): the same routes as
 * `touchpoint serve`, one app per container, each delivery bounded by the invocation's remaining time.
 * Never on a loopback address, so the profile API needs TOUCHPOINT_API_TOKEN (the template reads it
 * from SSM).
 */
export const handler = handle(
  createHttpRoutes<LambdaBindings>({
    loadApp: appOnce(() => createApp(process.env, { metrics: createInvocationMetrics() })),
    loopback: false,
    deliveryOptions: ({ lambdaContext }) => ({
      remainingMs: lambdaContext?.getRemainingTimeInMillis(),
      requestId: lambdaContext?.awsRequestId,
    }),
  }),
);
