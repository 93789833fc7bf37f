import { describe, expect, it } from "vitest";
import type { NoticeContent } from "../models/deliveries.server";
import { renderConfirmEmail, renderPublicUpdates } from "./public-email.server";

const content = (documentLocale: string, title: string): NoticeContent => ({
  noticeId: 7,
  documentId: 3,
  slug: "datenschutz",
  documentLocale,
  title,
  version: 4,
  summary: "Wir speichern Protokolle nur noch 30 Tage.",
  effectiveAt: "2027-01-15",
  lastUpdated: "2026-12-01",
  previousNumber: 3,
  requiresAck: false,
  reminderRound: null,
  remindsOfAt: null,
  audienceKind: "public",
});

describe("public subscribers' emails speak the followed document's language", () => {
  it("sends a German policy's update in German, with its unsubscribe link and headers", async () => {
    const [email] = await renderPublicUpdates(content("de-DE", "Datenschutzerklärung"), "https://acme.test", [
      "https://acme.test/subscriptions/unsubscribe/abc.def",
    ]);
    expect(email.subject).toBe("Datenschutzerklärung wurde geändert: Version 4");
    expect(email.html).toContain('lang="de"');
    expect(email.text).toContain("Sie gilt ab dem 15. Januar 2027");
    expect(email.text).toContain("Alle Änderungen ansehen");
    expect(email.text).toContain("Abmelden");
    expect(email.text).not.toMatch(/Unsubscribe|takes effect/);
    expect(email.headers["List-Unsubscribe"]).toBe("<https://acme.test/subscriptions/unsubscribe/abc.def>");
  });

  it("keeps English for an English policy and for a language without a catalogue", async () => {
    for (const locale of ["en", "ja"]) {
      const [email] = await renderPublicUpdates(content(locale, "Privacy Policy"), "https://acme.test", [
        "https://acme.test/u/1",
      ]);
      expect(email.subject).toBe("Privacy Policy has changed: version 4");
      expect(email.text).toContain("It takes effect on 15 January 2027");
    }
  });

  it("asks a French policy's follower to confirm in French, naming the choice made", async () => {
    const email = await renderConfirmEmail({
      document: {
        documentId: 3,
        slug: "confidentialite",
        locale: "fr",
        title: "Politique de confidentialité",
      },
      scope: "material",
      confirmUrl: "https://acme.test/subscriptions/confirm/xyz",
    });
    expect(email.subject).toBe("Confirmez : nouvelles de Politique de confidentialité");
    expect(email.text).toContain("modifications importantes uniquement");
    expect(email.text).toContain("Confirmer mon abonnement");
  });
});
