/**
 * A request on a public policy page to be told about changes (ADR 0029): throttled per client
 * address and per email address, then answered with one confirmation email. Nothing is stored
 * about the request besides the throttle's keyed hashes: the confirmation link carries it.
 */
import { randomUUID } from "node:crypto";
import type { PublicSubscriptionScope } from "../core/notify/public-subscription";
import { normalisePublicEmail } from "../core/notify/public-subscription";
import type { Env } from "../env.server";
import { logger } from "../logger.server";
import { publicSubscribeKeys, reserveAttempt } from "../models/login-throttle.server";
import type { FollowedDocument } from "../models/public-subscriptions.server";
import { resendProvider } from "./provider.server";
import { renderConfirmEmail } from "./public-email.server";
import { confirmLinkUrl } from "./public-links.server";
import { type MailTransport, planMailTransport } from "./transport.server";

export type SubscribeOutcome =
  | { kind: "sent" }
  | { kind: "throttled"; retryAfterSeconds: number }
  | { kind: "not-sent" };

/**
 * The answer is the same whether or not the address is subscribed already — confirming again is how
 * a subscriber changes the choice — so the form reveals nothing about who follows a policy.
 */
export async function requestPublicSubscription({
  env,
  transport,
  document,
  email,
  scope,
  clientAddress,
  now = Date.now(),
}: {
  env: Env;
  transport: MailTransport;
  document: FollowedDocument;
  email: string;
  scope: PublicSubscriptionScope;
  clientAddress: string;
  now?: number;
}): Promise<SubscribeOutcome> {
  const address = normalisePublicEmail(email);
  const decision = await reserveAttempt(
    publicSubscribeKeys({ email: address, address: clientAddress }),
    new Date(now),
  );
  if (!decision.allowed) return { kind: "throttled", retryAfterSeconds: decision.retryAfterSeconds };
  const confirmUrl = confirmLinkUrl(
    env.PUBLIC_BASE_URL,
    { email: address, documentId: document.documentId, scope },
    now,
  );
  const rendered = await renderConfirmEmail({ document, scope, confirmUrl });
  const plan = planMailTransport(env);
  const baseUrl = plan.kind === "capture" ? transport.captureUrl : plan.baseUrl;
  if (plan.kind === "capture" && !baseUrl) {
    logger.error("a public subscription's confirmation could not be sent: no mail transport in this process");
    return { kind: "not-sent" };
  }
  const provider = resendProvider({ apiKey: plan.apiKey, baseUrl: baseUrl ?? undefined });
  // One transactional email, not an announcement: sent now, not through the outbox; a failure is
  // told to the person, who may try again.
  const result = await provider.sendBatch(
    [
      {
        from: env.MAIL_FROM,
        to: address,
        ...rendered,
        tags: [{ name: "redline_public_confirm", value: String(document.documentId) }],
      },
    ],
    `public-confirm-${randomUUID()}`,
  );
  if (!result.ok) {
    logger.warn({ reason: result.failure.reason }, "a public subscription's confirmation was not accepted");
    return { kind: "not-sent" };
  }
  return { kind: "sent" };
}
