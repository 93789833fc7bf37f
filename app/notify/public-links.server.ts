/** The secrets and addresses of public subscriptions' links, derived from SESSION_SECRET (never stored). */
import { hkdfSync } from "node:crypto";
import {
  confirmPagePath,
  mintConfirmToken,
  mintUnsubscribeToken,
  type PublicSubscriptionScope,
  unsubscribePagePath,
} from "../core/notify/public-subscription";
import { getEnv, sessionSecret } from "../env.server";

/** One key per kind of link: a token of one kind can never pass for another. */
export function publicLinkSecret(kind: "confirm" | "unsubscribe"): string {
  return Buffer.from(
    hkdfSync("sha256", sessionSecret(getEnv()), "redline", `public-subscription-${kind}-v1`, 32),
  ).toString("base64url");
}

export function confirmLinkUrl(
  baseUrl: string,
  claims: { email: string; documentId: number; scope: PublicSubscriptionScope },
  now = Date.now(),
): string {
  return `${baseUrl}${confirmPagePath(mintConfirmToken({ secret: publicLinkSecret("confirm"), ...claims, now }))}`;
}

export function unsubscribeLinkUrl(baseUrl: string, deliveryId: number): string {
  return `${baseUrl}${unsubscribePagePath(mintUnsubscribeToken({ secret: publicLinkSecret("unsubscribe"), deliveryId }))}`;
}
