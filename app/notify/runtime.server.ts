import type { Env } from "../env.server";
import { Dispatcher, type DispatcherOptions } from "./dispatcher.server";
import { resendProvider } from "./provider.server";

/** The API key the SDK presents to the bundled mail server, which accepts any key. */
export const BUNDLED_MAIL_API_KEY = "re_bundled_local_mail_server";

type BundledMail = { url: string };
const registry = globalThis as typeof globalThis & { __redlineBundledMail?: BundledMail | null };

/** Called by server.ts when it runs the bundled mail server: the admin shows its captured mail. */
export function setBundledMailServer(server: BundledMail | null): void {
  registry.__redlineBundledMail = server;
}

/** The bundled mail server's address, when this process runs one. */
export function bundledMailServer(): BundledMail | null {
  return registry.__redlineBundledMail ?? null;
}

/**
 * A dispatcher configured from the settings: Resend when RESEND_API_KEY is set, otherwise the
 * Resend-compatible server at RESEND_BASE_URL (the bundled one under `npm start`).
 */
export function dispatcherFromEnv(
  env: Env,
  { requestTimeoutMs, ...overrides }: Partial<DispatcherOptions> & { requestTimeoutMs?: number } = {},
): Dispatcher {
  const baseUrl = env.RESEND_BASE_URL ?? bundledMailServer()?.url;
  if (!env.RESEND_API_KEY && !baseUrl) {
    throw new Error(
      "no email provider: set RESEND_API_KEY, or RESEND_BASE_URL to a Resend-compatible server (npm start runs one)",
    );
  }
  return new Dispatcher({
    provider: resendProvider({
      apiKey: env.RESEND_API_KEY ?? BUNDLED_MAIL_API_KEY,
      baseUrl,
      timeoutMs: requestTimeoutMs,
    }),
    from: env.MAIL_FROM,
    baseUrl: env.PUBLIC_BASE_URL,
    ratePerSecond: env.SEND_RATE_PER_SECOND,
    maxAttempts: env.MAX_SEND_ATTEMPTS,
    retentionDays: env.DELIVERY_LOG_RETENTION_DAYS,
    ...overrides,
  });
}
