/** The secret of the email acknowledgement links, derived from SESSION_SECRET (never stored). */
import { hkdfSync } from "node:crypto";
import { ackPagePath, mintAckToken } from "../core/notify/ack-token";
import { getEnv, sessionSecret } from "../env.server";

/**
 * Changing SESSION_SECRET invalidates the links in emails already sent: their readers can still
 * acknowledge in the product's banner.
 */
export function ackLinkSecret(): string {
  return Buffer.from(
    hkdfSync("sha256", sessionSecret(getEnv()), "redline", "email-ack-link-v1", 32),
  ).toString("base64url");
}

/** The confirmation page's full address for one email delivery. */
export function ackLinkUrl(baseUrl: string, deliveryId: number, issuedAt: string): string {
  return `${baseUrl}${ackPagePath(mintAckToken({ secret: ackLinkSecret(), deliveryId, issuedAt }))}`;
}
