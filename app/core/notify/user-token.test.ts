import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { MAX_TOKEN_LIFETIME_SECONDS, mintUserToken, verifyUserToken } from "./user-token";

const secret = "rls_test-secret";
const now = Date.UTC(2026, 11, 1, 12, 0, 0);

describe("user tokens", () => {
  it("a token minted with the secret verifies and names its subscriber", () => {
    const token = mintUserToken({ secret, externalId: "user-42", now });
    expect(verifyUserToken(token, [secret], now)).toEqual({
      ok: true,
      claims: { sub: "user-42", exp: now / 1000 + 600 },
    });
  });

  it("a token minted by the 10-line README recipe verifies", () => {
    const payload = Buffer.from(JSON.stringify({ sub: "user-42", exp: now / 1000 + 300 })).toString(
      "base64url",
    );
    const signature = createHmac("sha256", secret).update(payload).digest("base64url");
    expect(verifyUserToken(`${payload}.${signature}`, [secret], now).ok).toBe(true);
  });

  it("an expired token is refused", () => {
    const token = mintUserToken({
      secret,
      externalId: "user-42",
      lifetimeSeconds: 600,
      now: now - 3_600_000,
    });
    expect(verifyUserToken(token, [secret], now)).toEqual({ ok: false, reason: "expired" });
  });

  it("a token signed with another secret is refused", () => {
    const token = mintUserToken({ secret: "another secret", externalId: "user-42", now });
    expect(verifyUserToken(token, [secret], now)).toEqual({ ok: false, reason: "bad-signature" });
  });

  it("a token whose payload was edited after signing is refused", () => {
    const token = mintUserToken({ secret, externalId: "user-42", now });
    const [, signature] = token.split(".");
    const forged = Buffer.from(JSON.stringify({ sub: "user-43", exp: now / 1000 + 600 })).toString(
      "base64url",
    );
    expect(verifyUserToken(`${forged}.${signature}`, [secret], now)).toEqual({
      ok: false,
      reason: "bad-signature",
    });
  });

  it("a correctly signed token that lives longer than an hour is refused", () => {
    const token = mintUserToken({
      secret,
      externalId: "user-42",
      lifetimeSeconds: MAX_TOKEN_LIFETIME_SECONDS * 24,
      now,
    });
    expect(verifyUserToken(token, [secret], now)).toEqual({ ok: false, reason: "too-long-lived" });
  });

  it("garbage, a bad externalId and an empty secret list are refused", () => {
    expect(verifyUserToken("not a token", [secret], now).ok).toBe(false);
    expect(verifyUserToken("a.b.c", [secret], now).ok).toBe(false);
    const badSub = mintUserToken({ secret, externalId: "<script>", now });
    expect(verifyUserToken(badSub, [secret], now)).toEqual({ ok: false, reason: "malformed" });
    expect(verifyUserToken(mintUserToken({ secret, externalId: "u", now }), [], now).ok).toBe(false);
  });

  it("a token signed with either accepted secret verifies (rotation)", () => {
    const token = mintUserToken({ secret: "old secret", externalId: "user-42", now });
    expect(verifyUserToken(token, [secret, "old secret"], now).ok).toBe(true);
  });
});
