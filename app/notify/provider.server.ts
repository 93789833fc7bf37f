import { Resend } from "resend";
import { classifySendError, type SendFailure } from "../core/notify/backoff";
import { CAPTURE_HEADER } from "./mail-server.server";

export type OutgoingEmail = {
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  tags: { name: string; value: string }[];
  /** Extra headers (a test email's marker); notices carry none. */
  headers?: Record<string, string>;
};

export type BatchSendResult =
  | {
      ok: true;
      messageIds: string[];
      /** The server answered as a capture server (CAPTURE_HEADER): kept there, delivered to nobody. */
      captured: boolean;
    }
  | { ok: false; failure: SendFailure };

/** The one path by which email leaves Redline. */
export type EmailProvider = {
  sendBatch: (emails: OutgoingEmail[], idempotencyKey: string) => Promise<BatchSendResult>;
};

/**
 * The Resend adapter. The SDK client is built on first use (`new Resend()` throws without a key,
 * and a process that never sends must still start). The SDK reports HTTP errors as `{ error }`
 * and never throws on them; a request that runs past `timeoutMs` is aborted and treated like a
 * network error: retried with the same key, so the provider can tell it is the same batch.
 */
export function resendProvider({
  apiKey,
  baseUrl,
  timeoutMs = 15_000,
}: {
  apiKey: string;
  baseUrl?: string;
  timeoutMs?: number;
}): EmailProvider {
  let client: Resend | null = null;
  return {
    async sendBatch(emails, idempotencyKey) {
      client ??= new Resend(apiKey, baseUrl ? { baseUrl } : undefined);
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        const { data, error, headers } = await client.batch.send(emails, { idempotencyKey, signal });
        if (error && signal.aborted) {
          return {
            ok: false,
            failure: { kind: "retryable", reason: `request timed out after ${timeoutMs} ms` },
          };
        }
        if (error) return { ok: false, failure: classifySendError(error, headers) };
        const ids = data?.data?.map((entry) => entry.id) ?? [];
        if (ids.length !== emails.length) {
          return {
            ok: false,
            failure: {
              kind: "retryable",
              reason: `provider returned ${ids.length} ids for ${emails.length} emails`,
            },
          };
        }
        return { ok: true, messageIds: ids, captured: headers?.[CAPTURE_HEADER] !== undefined };
      } catch (error) {
        // The SDK rethrows an abort that happens while it reads an error body.
        const reason = signal.aborted
          ? `request timed out after ${timeoutMs} ms`
          : `network: ${String(error)}`;
        return { ok: false, failure: { kind: "retryable", reason } };
      }
    },
  };
}
