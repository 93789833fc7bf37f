import { describe, expect, it } from "vitest";
import { ACK_LINK_LIFETIME_DAYS, mintAckToken, verifyAckToken } from "./ack-token";
import { mintUserToken } from "./user-token";

const secret = "k".repeat(43);
const issuedAt = "2026-12-01T10:00:00.000Z";
const at = (days: number) => Date.parse(issuedAt) + days * 86_400_000;

describe("the acknowledgement link's token", () => {
  it("names its delivery until it expires, and is the same every time for the same batch", () => {
    const token = mintAckToken({ secret, deliveryId: 42, issuedAt });
    expect(mintAckToken({ secret, deliveryId: 42, issuedAt })).toBe(token);
    expect(verifyAckToken(token, [secret], at(1))).toMatchObject({ ok: true, deliveryId: 42 });
    expect(verifyAckToken(token, [secret], at(ACK_LINK_LIFETIME_DAYS + 1))).toEqual({
      ok: false,
      reason: "expired",
    });
  });

  it("is refused when signed with another secret, altered, or a user token of the banner", () => {
    const token = mintAckToken({ secret, deliveryId: 42, issuedAt });
    expect(verifyAckToken(token, ["another".repeat(6)], at(1))).toEqual({
      ok: false,
      reason: "bad-signature",
    });
    const [payload, signature] = token.split(".");
    const altered = Buffer.from(Buffer.from(payload, "base64url").toString().replace("42", "43")).toString(
      "base64url",
    );
    expect(verifyAckToken(`${altered}.${signature}`, [secret], at(1))).toEqual({
      ok: false,
      reason: "bad-signature",
    });
    const userToken = mintUserToken({ secret, externalId: "42", now: at(1) });
    expect(verifyAckToken(userToken, [secret], at(1))).toEqual({ ok: false, reason: "malformed" });
    expect(verifyAckToken("not a token", [secret], at(1))).toEqual({ ok: false, reason: "malformed" });
  });
});
