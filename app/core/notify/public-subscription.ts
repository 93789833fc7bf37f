/**
 * Public subscriptions (issue 16, item 7): people without an account — a customer's
 * data-protection officer, a journalist — who asked to be emailed when a policy changes. Pure: the
 * constants the schema's CHECKs and the pages share, the form's validation and the tokens of the
 * confirmation and unsubscribe links. The secrets are derived from SESSION_SECRET by the caller.
 *
 * Double opt-in without storing anything first: the confirmation link carries the address, the
 * document and the choice, signed and expiring, so an address nobody confirmed is never stored.
 */
import { z } from "zod";
import { PUBLIC_SUBSCRIPTION_SCOPES, type PublicSubscriptionScope } from "./statuses";
import { openClaims, signClaims } from "./user-token";

export { PUBLIC_SUBSCRIPTION_SCOPES, type PublicSubscriptionScope };

/** Whether a publication concerns a subscriber who chose `scope`. */
export function scopeCovers(scope: PublicSubscriptionScope, material: boolean): boolean {
  return scope === "all" || material;
}

/** The choice in words, for emails and pages. */
export const scopeWords = (scope: PublicSubscriptionScope) =>
  scope === "all" ? "every new version" : "material changes only";

/** How long a confirmation link works: a day is enough to open one's mail, short enough to be stale. */
export const CONFIRM_LINK_LIFETIME_SECONDS = 24 * 60 * 60;

/** The subscription form: an address and a choice; a name is never asked for. */
export const SubscribeForm = z.object({
  email: z
    .string()
    .trim()
    .max(254, "That email address is too long.")
    .pipe(z.email({ error: "Enter a valid email address." })),
  scope: z.enum(PUBLIC_SUBSCRIPTION_SCOPES, { error: "Choose all versions or material changes only." }),
});

/** An address as stored and compared: trimmed and lower-cased (the whole address, like the workspace's). */
export const normalisePublicEmail = (email: string) => email.trim().toLowerCase();

export type ConfirmClaims = {
  email: string;
  documentId: number;
  scope: PublicSubscriptionScope;
  exp: number;
};

export type TokenProblem = "malformed" | "bad-signature" | "expired";

/** The token of a confirmation link, valid for CONFIRM_LINK_LIFETIME_SECONDS from `now`. */
export function mintConfirmToken({
  secret,
  email,
  documentId,
  scope,
  now = Date.now(),
}: {
  secret: string;
  email: string;
  documentId: number;
  scope: PublicSubscriptionScope;
  now?: number;
}): string {
  const exp = Math.floor(now / 1000) + CONFIRM_LINK_LIFETIME_SECONDS;
  return signClaims(secret, { k: "public-confirm", e: email, d: documentId, s: scope, exp });
}

export function verifyConfirmToken(
  token: string,
  secrets: string[],
  now = Date.now(),
): { ok: true; claims: ConfirmClaims } | { ok: false; reason: TokenProblem } {
  const opened = openClaims(token, secrets);
  if (!opened.ok) return opened;
  const c = opened.claims as { k?: unknown; e?: unknown; d?: unknown; s?: unknown; exp?: unknown } | null;
  if (
    typeof c !== "object" ||
    c === null ||
    c.k !== "public-confirm" ||
    typeof c.e !== "string" ||
    !Number.isSafeInteger(c.d) ||
    !PUBLIC_SUBSCRIPTION_SCOPES.includes(c.s as PublicSubscriptionScope) ||
    !Number.isSafeInteger(c.exp)
  ) {
    return { ok: false, reason: "malformed" };
  }
  if ((c.exp as number) <= Math.floor(now / 1000)) return { ok: false, reason: "expired" };
  return {
    ok: true,
    claims: {
      email: c.e,
      documentId: c.d as number,
      scope: c.s as PublicSubscriptionScope,
      exp: c.exp as number,
    },
  };
}

/**
 * The token of an update email's unsubscribe link: names the public delivery (one email), whose
 * subscription it ends, and never expires — RFC 8058 asks for a link that works as long as the
 * mail may be read. A delivery, not the subscription, so the body a retry sends stays byte-identical
 * whatever happens meanwhile; once that subscription has ended the link ends nothing else.
 */
export function mintUnsubscribeToken({ secret, deliveryId }: { secret: string; deliveryId: number }) {
  return signClaims(secret, { k: "public-unsubscribe", d: deliveryId });
}

export function verifyUnsubscribeToken(
  token: string,
  secrets: string[],
): { ok: true; deliveryId: number } | { ok: false; reason: Exclude<TokenProblem, "expired"> } {
  const opened = openClaims(token, secrets);
  if (!opened.ok) return opened;
  const c = opened.claims as { k?: unknown; d?: unknown } | null;
  if (typeof c !== "object" || c === null || c.k !== "public-unsubscribe" || !Number.isSafeInteger(c.d)) {
    return { ok: false, reason: "malformed" };
  }
  return { ok: true, deliveryId: c.d as number };
}

export const confirmPagePath = (token: string) => `/subscriptions/confirm/${token}`;
export const unsubscribePagePath = (token: string) => `/subscriptions/unsubscribe/${token}`;
