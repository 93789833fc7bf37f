import { createHmac } from "node:crypto";

/**
 * The `svix-signature` header of a webhook, signed the way svix signs Resend's events (Standard
 * Webhooks): base64 HMAC-SHA256 of `${id}.${seconds}.${payload}` under the base64 key after
 * `whsec_`. Written out here, apart from the SDK that verifies, so that tests hold the scheme
 * against the SDK rather than a library against itself.
 */
export function signWebhook(secret: string, id: string, timestamp: Date, payload: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const seconds = Math.floor(timestamp.getTime() / 1000);
  return `v1,${createHmac("sha256", key).update(`${id}.${seconds}.${payload}`).digest("base64")}`;
}
