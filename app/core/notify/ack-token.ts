/**
 * The token in an email's "Review and acknowledge" link (issue 16, item 3): it names one email
 * delivery — so one subscriber and one notice — and when it stops working, signed like the user
 * token (`signClaims`). Pure. The secret is derived from SESSION_SECRET by the caller.
 *
 * Claims: `{ "d": deliveryId, "exp": unix seconds, "k": "ack" }`; `k` keeps a token of another kind
 * signed with the same secret from ever passing for this one.
 */
import { openClaims, signClaims } from "./user-token";

/** How long an acknowledgement link works: long enough to read a notice period's mail late. */
export const ACK_LINK_LIFETIME_DAYS = 90;

export type AckLinkCheck =
  | { ok: true; deliveryId: number; exp: number }
  | { ok: false; reason: "malformed" | "bad-signature" | "expired" };

/**
 * The token for a delivery. `issuedAt` is when its batch was frozen, never "now", so a retried
 * batch renders byte-identical emails.
 */
export function mintAckToken({
  secret,
  deliveryId,
  issuedAt,
}: {
  secret: string;
  deliveryId: number;
  issuedAt: string;
}): string {
  const exp = Math.floor(Date.parse(issuedAt) / 1000) + ACK_LINK_LIFETIME_DAYS * 86_400;
  return signClaims(secret, { d: deliveryId, exp, k: "ack" });
}

export function verifyAckToken(token: string, secrets: string[], now = Date.now()): AckLinkCheck {
  const opened = openClaims(token, secrets);
  if (!opened.ok) return opened;
  const claims = opened.claims as { d?: unknown; exp?: unknown; k?: unknown } | null;
  if (
    typeof claims !== "object" ||
    claims === null ||
    claims.k !== "ack" ||
    !Number.isSafeInteger(claims.d) ||
    (claims.d as number) < 1 ||
    !Number.isSafeInteger(claims.exp)
  ) {
    return { ok: false, reason: "malformed" };
  }
  if ((claims.exp as number) <= Math.floor(now / 1000)) return { ok: false, reason: "expired" };
  return { ok: true, deliveryId: claims.d as number, exp: claims.exp as number };
}

/** The path of the confirmation page for a token (public; the token is the only key). */
export const ackPagePath = (token: string) => `/notices/acknowledge/${token}`;
