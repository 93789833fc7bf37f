import type { Env } from "../env.server";
import { Dispatcher, type DispatcherOptions } from "./dispatcher.server";
import { resendProvider } from "./provider.server";
import { describeMailTransport, type MailTransport, planMailTransport } from "./transport.server";

/**
 * A dispatcher for the transport the settings name. `captureUrl` is the bundled mail server's
 * address when the caller runs one (npm start); a process that cannot run one (`redline worker`)
 * refuses capture with a message naming the settings.
 */
export function dispatcherFromEnv(
  env: Env,
  {
    captureUrl = null,
    requestTimeoutMs,
    ...overrides
  }: Partial<DispatcherOptions> & { requestTimeoutMs?: number; captureUrl?: string | null } = {},
): { dispatcher: Dispatcher; transport: MailTransport } {
  const plan = planMailTransport(env);
  const baseUrl = plan.kind === "capture" ? captureUrl : plan.baseUrl;
  if (plan.kind === "capture" && !baseUrl) {
    throw new Error(
      "no email provider: set RESEND_API_KEY, or RESEND_BASE_URL to a Resend-compatible server (e.g. `redline mail-server`)",
    );
  }
  const transport = describeMailTransport(plan.kind, baseUrl);
  const dispatcher = new Dispatcher({
    transport,
    provider: resendProvider({
      apiKey: plan.apiKey,
      baseUrl: baseUrl ?? undefined,
      timeoutMs: requestTimeoutMs,
    }),
    from: env.MAIL_FROM,
    baseUrl: env.PUBLIC_BASE_URL,
    ratePerSecond: env.SEND_RATE_PER_SECOND,
    maxAttempts: env.MAX_SEND_ATTEMPTS,
    retentionDays: env.DELIVERY_LOG_RETENTION_DAYS,
    ...overrides,
  });
  return { dispatcher, transport };
}
