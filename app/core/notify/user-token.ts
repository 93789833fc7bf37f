/**
 * The short-lived user token that authenticates the dashboard banner in a browser. The product's
 * backend mints it with the embed secret from the Redline workspace; Redline verifies it. Pure:
 * node:crypto only, no I/O.
 *
 * Format: `base64url(JSON {"sub": externalId, "exp": unix seconds}) "." base64url(HMAC-SHA256(secret,
 * first part))`. Nothing else is signed or trusted.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { EXTERNAL_ID_PATTERN } from "./subscriber";

/** The furthest in the future a token's expiry may lie: a leaked token is useful for an hour at most. */
export const MAX_TOKEN_LIFETIME_SECONDS = 60 * 60;
/** Allowance for clocks that disagree between the product's backend and Redline. */
const CLOCK_SKEW_SECONDS = 60;
/** Longer than any valid token could be (128-character externalId, 10-digit expiry). */
const MAX_TOKEN_LENGTH = 512;

type UserTokenClaims = { sub: string; exp: number };

export type TokenCheck =
  | { ok: true; claims: UserTokenClaims }
  | { ok: false; reason: "malformed" | "bad-signature" | "expired" | "too-long-lived" };

function sign(secret: string, payload: string): string {
  return createHmac("sha256", secret).update(payload).digest("base64url");
}

/**
 * Mints a token for `externalId`, valid for `lifetimeSeconds` (default 10 minutes).
 * @example mintUserToken({ secret, externalId: "user-42" }) // "eyJzdWIiOiJ1c2VyLTQyIiwiZXhwIjoxNz….R2x…"
 */
export function mintUserToken({
  secret,
  externalId,
  lifetimeSeconds = 600,
  now = Date.now(),
}: {
  secret: string;
  externalId: string;
  lifetimeSeconds?: number;
  now?: number;
}): string {
  return signClaims(secret, { sub: externalId, exp: Math.floor(now / 1000) + lifetimeSeconds });
}

/** Signs a small JSON object in this format; also used for the email acknowledgement link. */
export function signClaims(secret: string, claims: object): string {
  const payload = Buffer.from(JSON.stringify(claims)).toString("base64url");
  return `${payload}.${sign(secret, payload)}`;
}

/**
 * The claims of a token signed with one of `secrets`. The signature is compared in constant time
 * before anything in the payload is parsed, let alone believed; checking the claims is the caller's.
 */
export function openClaims(
  token: string,
  secrets: string[],
): { ok: true; claims: unknown } | { ok: false; reason: "malformed" | "bad-signature" } {
  if (typeof token !== "string" || token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: "malformed" };
  const parts = token.split(".");
  if (parts.length !== 2 || !/^[A-Za-z0-9_-]+$/.test(parts[0]) || !/^[A-Za-z0-9_-]+$/.test(parts[1])) {
    return { ok: false, reason: "malformed" };
  }
  const [payload, signature] = parts;
  const given = Buffer.from(signature, "base64url");
  const signed = secrets.some((secret) => {
    const expected = Buffer.from(sign(secret, payload), "base64url");
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
  if (!signed) return { ok: false, reason: "bad-signature" };
  try {
    return { ok: true, claims: JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) };
  } catch {
    return { ok: false, reason: "malformed" };
  }
}

/**
 * Checks a token against the secrets currently accepted (the live one and, during a rotation, the
 * one it replaced). The signature is compared in constant time before anything in the payload is
 * believed.
 */
export function verifyUserToken(token: string, secrets: string[], now = Date.now()): TokenCheck {
  const opened = openClaims(token, secrets);
  if (!opened.ok) return opened;
  const claims = opened.claims;
  if (
    typeof claims !== "object" ||
    claims === null ||
    typeof (claims as UserTokenClaims).sub !== "string" ||
    !EXTERNAL_ID_PATTERN.test((claims as UserTokenClaims).sub) ||
    !Number.isSafeInteger((claims as UserTokenClaims).exp)
  ) {
    return { ok: false, reason: "malformed" };
  }
  const { sub, exp } = claims as UserTokenClaims;
  const nowSeconds = Math.floor(now / 1000);
  if (exp <= nowSeconds - CLOCK_SKEW_SECONDS) return { ok: false, reason: "expired" };
  if (exp > nowSeconds + MAX_TOKEN_LIFETIME_SECONDS + CLOCK_SKEW_SECONDS) {
    return { ok: false, reason: "too-long-lived" };
  }
  return { ok: true, claims: { sub, exp } };
}
