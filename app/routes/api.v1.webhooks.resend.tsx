import type { ActionFunctionArgs } from "@remix-run/node";
import { Resend } from "resend";
import { z } from "zod";
import { getEnv } from "~/env.server";
import { BODY_LIMITS } from "~/http/body.server";
import { json, jsonError } from "~/http/json.server";
import { applyProviderEvent } from "~/models/deliveries.server";
import { parseJson, readBodyText } from "~/notify/http.server";

const Event = z.object({
  type: z.string().min(1),
  created_at: z.string().optional(),
  data: z
    .object({
      email_id: z.string().optional(),
      tags: z
        .union([z.record(z.string(), z.string()), z.array(z.object({ name: z.string(), value: z.string() }))])
        .optional(),
      bounce: z.object({ type: z.string().optional() }).optional(),
    })
    .optional(),
});

/** Our delivery id, from the tags Redline puts on every email (Resend sends tags as an object). */
function deliveryTag(tags: Record<string, string> | { name: string; value: string }[] | undefined) {
  const value = Array.isArray(tags)
    ? tags.find((t) => t.name === "redline_delivery")?.value
    : tags?.redline_delivery;
  return value && /^\d+$/.test(value) ? Number(value) : null;
}

let verifier: Resend["webhooks"] | undefined;

/**
 * The SDK's own verification (Standard Webhooks, the scheme svix signs Resend's events with:
 * HMAC-SHA256 of id, timestamp and body under the whsec_ secret, at most five minutes old). It runs
 * locally: the client only needs some API key to be built, and this one is never sent anywhere.
 */
function webhooks(): Resend["webhooks"] {
  verifier ??= new Resend("re_webhook_verification_only").webhooks;
  return verifier;
}

/**
 * Resend's delivery events, signed by svix. Refused without a valid signature; processed once
 * per svix-id. A 503 asks the sender to retry later when the message is ours but the worker has
 * not recorded its id yet.
 */
export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return jsonError(405, "use POST");
  const secret = getEnv().RESEND_WEBHOOK_SECRET;
  if (!secret) return jsonError(503, "webhooks are not configured: set RESEND_WEBHOOK_SECRET");
  // The raw text, byte for byte: the signature covers exactly what was sent.
  const payload = await readBodyText(request, BODY_LIMITS.webhook);
  const headers = {
    "svix-id": request.headers.get("svix-id") ?? "",
    "svix-timestamp": request.headers.get("svix-timestamp") ?? "",
    "svix-signature": request.headers.get("svix-signature") ?? "",
  };
  try {
    webhooks().verify({
      payload,
      headers: {
        id: headers["svix-id"],
        timestamp: headers["svix-timestamp"],
        signature: headers["svix-signature"],
      },
      webhookSecret: secret,
    });
  } catch (error) {
    // The SDK does not export the error class of a refused signature, stale timestamp or missing header.
    if (error instanceof Error && error.name === "WebhookVerificationError")
      return jsonError(401, `webhook signature refused: ${error.message}`);
    // The payload is parsed after a good signature: a signed body that is not JSON lands here.
    if (error instanceof SyntaxError) return jsonError(400, "the event is not valid JSON");
    throw error;
  }
  // The SDK returns nothing for a signed empty body instead of failing to parse it.
  if (payload === "") return jsonError(400, "the event is not valid JSON");
  const event = Event.safeParse(parseJson(payload));
  if (!event.success) return jsonError(400, "the event is not a Resend webhook event");
  const parsed = event.data;
  const outcome = applyProviderEvent({
    svixId: headers["svix-id"],
    type: parsed.type,
    providerMessageId: parsed.data?.email_id ?? null,
    deliveryId: deliveryTag(parsed.data?.tags),
    bounceType: parsed.data?.bounce?.type ?? null,
    at: new Date().toISOString(),
  });
  if (outcome === "not-yet-recorded")
    return jsonError(503, "this email's delivery is not recorded yet; retry later");
  return json({ outcome });
}
