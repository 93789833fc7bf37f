import { describe, expect, it } from "vitest";
import {
  CONFIRM_LINK_LIFETIME_SECONDS,
  mintConfirmToken,
  mintUnsubscribeToken,
  SubscribeForm,
  scopeCovers,
  verifyConfirmToken,
  verifyUnsubscribeToken,
} from "./public-subscription";

const secret = "k".repeat(43);
const now = Date.parse("2026-12-01T06:00:00Z");

describe("the confirmation link's token", () => {
  const token = mintConfirmToken({
    secret,
    email: "dpo@customer.example",
    documentId: 3,
    scope: "material",
    now,
  });

  it("carries the request: the address, the document and the choice", () => {
    const checked = verifyConfirmToken(token, [secret], now + 1000);
    expect(checked).toMatchObject({
      ok: true,
      claims: { email: "dpo@customer.example", documentId: 3, scope: "material" },
    });
  });

  it("stops working after a day", () => {
    expect(verifyConfirmToken(token, [secret], now + CONFIRM_LINK_LIFETIME_SECONDS * 1000)).toEqual({
      ok: false,
      reason: "expired",
    });
  });

  it("refuses another address with the same signature, and another secret", () => {
    const [payload, signature] = token.split(".");
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
    const forged = `${Buffer.from(JSON.stringify({ ...claims, e: "other@evil.example" })).toString("base64url")}.${signature}`;
    expect(verifyConfirmToken(forged, [secret], now)).toEqual({ ok: false, reason: "bad-signature" });
    expect(verifyConfirmToken(token, ["x".repeat(43)], now)).toEqual({ ok: false, reason: "bad-signature" });
  });

  it("is never taken for an unsubscribe link, nor the other way round", () => {
    const unsubscribe = mintUnsubscribeToken({ secret, deliveryId: 7 });
    expect(verifyUnsubscribeToken(unsubscribe, [secret])).toEqual({ ok: true, deliveryId: 7 });
    expect(verifyConfirmToken(unsubscribe, [secret], now)).toEqual({ ok: false, reason: "malformed" });
    expect(verifyUnsubscribeToken(token, [secret])).toEqual({ ok: false, reason: "malformed" });
  });
});

describe("the subscription form", () => {
  it("takes an address and a choice, and refuses anything else", () => {
    expect(SubscribeForm.safeParse({ email: " dpo@customer.example ", scope: "all" }).data).toEqual({
      email: "dpo@customer.example",
      scope: "all",
    });
    expect(SubscribeForm.safeParse({ email: "not an address", scope: "all" }).success).toBe(false);
    expect(SubscribeForm.safeParse({ email: "dpo@customer.example", scope: "everything" }).success).toBe(
      false,
    );
  });

  it("'material changes only' hears about material versions, 'every version' about all", () => {
    expect([scopeCovers("material", false), scopeCovers("material", true)]).toEqual([false, true]);
    expect([scopeCovers("all", false), scopeCovers("all", true)]).toEqual([true, true]);
  });
});
