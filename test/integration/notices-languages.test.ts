/**
 * Issue 16, items 2 and 3: a notice email in each reader's language (the published translation's
 * title and summary, else the source's with a note), and the acknowledgement link in it — a page
 * a mail scanner can open without recording anything; only the reader's POST records, once, with
 * the channel `email`. Real mail server over HTTP, real dispatcher, real web server.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parsePolicy } from "../../app/core/document";
import { resetEnv } from "../../app/env.server";
import { db } from "../../app/models/db.server";
import { createTranslation, saveDraft } from "../../app/models/drafts.server";
import { publishVersion } from "../../app/models/publication.server";
import { upsertSubscribers } from "../../app/models/subscribers.server";
import { createUser } from "../../app/models/users.server";
import { type CapturedMessage, type MailServer, startMailServer } from "../../app/notify/mail-server.server";
import { rows } from "../../db/dialect";
import { type RunningServer, startServer } from "../support/server";
import { publishFirst, publishMaterial, testDispatcher } from "./notify-support";

let mail: MailServer;
let server: RunningServer;
const SECRET = "s".repeat(40);
const messages = new Map<string, CapturedMessage>();

beforeAll(async () => {
  // The web server below verifies the links this process's dispatcher signs: one SESSION_SECRET.
  process.env.SESSION_SECRET = SECRET;
  resetEnv();
  mail = await startMailServer();
  const user = await createUser({
    email: "translator@example.com",
    role: "admin",
    password: "a-long-enough-password",
    actor: { kind: "cli" },
  });
  await publishFirst("langs");
  await upsertSubscribers(
    [
      ["en-1", "en", "Pat"],
      ["de-1", "de-DE", "Jonas"],
      ["fr-1", "fr", "Camille"],
      ["nl-1", "nl", null],
      ["es-1", "es", "Lucía"],
    ].map(([externalId, locale, name]) => ({
      externalId: externalId!,
      email: `${externalId}@example.test`,
      name,
      locale: locale!,
      attributes: { group: "langs" },
    })),
  );
  // The notice: version 2, asking for acknowledgement.
  const notified = await publishMaterial("langs", {
    channels: ["email"],
    audience: { group: "langs" },
    requireAck: true,
  });
  // Its German translation, started from version 2 and published (with a summary) before the
  // batch goes out; there is no Dutch, French or Spanish one.
  await createTranslation({
    sourceDocumentId: notified.documentId,
    locale: "de",
    title: "Datenschutzerklärung",
    actor: { kind: "user", id: user.id },
  });
  const content = parsePolicy(
    "# Datenschutz\n\n## 1. Weitergabe\n\nWir geben Daten weiter.",
    "markdown",
  ).content;
  await saveDraft({
    slug: "langs",
    locale: "de",
    title: "Datenschutzerklärung",
    content,
    actor: { kind: "cli" },
  });
  await publishVersion({
    slug: "langs",
    locale: "de",
    request: { material: true, summary: "Wir geben jetzt Daten an Parcelpay weiter." },
    actor: { kind: "cli" },
    noticePeriodDays: 30,
    requireApproval: false,
  });
  await testDispatcher(mail).drain();
  for (const m of mail.messages()) messages.set(m.to[0], m);
  server = await startServer({ DATABASE_URL: process.env.DATABASE_URL!, SESSION_SECRET: SECRET });
});

afterAll(async () => {
  await server?.stop();
  await mail?.close();
});

const ackPath = (m: CapturedMessage) => {
  const match = /https:\/\/policies\.example\.test(\/notices\/acknowledge\/[A-Za-z0-9_.-]+)/.exec(
    m.text ?? "",
  );
  return match?.[1] ?? null;
};

const acknowledgements = () =>
  rows<{ externalId: string; channel: string }>(
    db(),
    sql`SELECT s.external_id AS "externalId", a.channel FROM acknowledgements a
        JOIN subscribers s ON s.id = a.subscriber_id ORDER BY a.id`,
  );

describe("a notice email in the reader's language", () => {
  it("uses the published translation's title and summary, with German words around them", () => {
    const de = messages.get("de-1@example.test")!;
    expect(de.subject).toBe("Änderungen: Datenschutzerklärung");
    expect(de.text).toContain("Hallo Jonas,");
    expect(de.text).toContain("Wir haben unser Dokument „Datenschutzerklärung“ aktualisiert. Kurz gesagt:");
    expect(de.text).toContain("Wir geben jetzt Daten an Parcelpay weiter.");
    expect(de.text).toMatch(/Die Änderungen gelten ab dem \d{1,2}\. \p{L}+ \d{4}\./u);
    expect(de.text).not.toContain("nicht auf Deutsch");
    expect(de.text).toContain("https://policies.example.test/policies/langs/versions/1?lang=de");
    expect(de.html).toContain('lang="de"');
    expect(de.html).toContain("Lesen und bestätigen");
  });

  it("falls back to the source's title and summary with a one-line note where no translation is published", () => {
    const fr = messages.get("fr-1@example.test")!;
    expect(fr.subject).toBe("Modifications : Privacy Policy");
    expect(fr.text).toContain("Bonjour Camille,");
    expect(fr.text).toContain(
      "Cet avis n'est pas encore disponible en français ; il est donc affiché en anglais.",
    );
    expect(fr.text).toContain("We now share data with Parcelpay.");
    expect(fr.html).toContain("Lire et confirmer");

    const nl = messages.get("nl-1@example.test")!;
    expect(nl.subject).toBe("Wijzigingen in ons document Privacy Policy");
    expect(nl.text).toContain("Hallo,");
    expect(nl.text).toContain("nog niet beschikbaar in het Nederlands");

    const es = messages.get("es-1@example.test")!;
    expect(es.subject).toBe("Cambios en nuestro documento Privacy Policy");
    expect(es.text).toContain("Hola, Lucía:");
    expect(es.text).toContain("Leer y confirmar");

    const en = messages.get("en-1@example.test")!;
    expect(en.subject).toBe("Changes to our Privacy Policy");
    expect(en.text).toContain("Hello Pat,");
    expect(en.text).not.toContain("not available in");
    expect(en.text).toContain("Please confirm that you have read this notice.");
  });

  it("gives every reader their own acknowledgement link", () => {
    const links = [...messages.values()].map(ackPath);
    expect(links.every((l) => l !== null)).toBe(true);
    expect(new Set(links).size).toBe(5);
  });
});

describe("acknowledging from the email", () => {
  it("records nothing when the link is only opened (a mail scanner's GET, HEAD too)", async () => {
    const path = ackPath(messages.get("de-1@example.test")!)!;
    for (const method of ["GET", "HEAD", "GET"]) {
      const response = await fetch(`${server.url}${path}`, { method });
      expect(response.status).toBe(200);
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(response.headers.get("referrer-policy")).toBe("same-origin");
    }
    const page = await (await fetch(`${server.url}${path}`)).text();
    expect(page).toContain("Wir geben jetzt Daten an Parcelpay weiter.");
    expect(page).toContain("Zur Kenntnis genommen");
    expect(page).toContain("/policies/langs/compare?from=1&amp;to=2");
    expect(await acknowledgements()).toEqual([]);
  });

  it("records the reader's POST once, with the channel email; a second POST changes nothing", async () => {
    const path = ackPath(messages.get("de-1@example.test")!)!;
    const token = path.split("/").pop()!;
    const post = () =>
      fetch(`${server.url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", origin: server.url },
        body: new URLSearchParams({ token }),
      });
    const first = await post();
    expect(first.status).toBe(200);
    // A page for a person, not data: the form works without JavaScript.
    expect(first.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await first.text()).toMatch(/Ihre Bestätigung wurde am \d{1,2}\. \p{L}+ \d{4} festgehalten/u);
    expect((await post()).status).toBe(200);
    expect(await acknowledgements()).toEqual([{ externalId: "de-1", channel: "email" }]);
    // Opened again, the page says it is done and offers no button.
    const again = await (await fetch(`${server.url}${path}`)).text();
    expect(again).toContain("festgehalten");
    expect(again).not.toContain('type="submit"');
  });

  it("refuses a forged or altered token, a post without the token in the form, and a cross-site post", async () => {
    const path = ackPath(messages.get("fr-1@example.test")!)!;
    const token = path.split("/").pop()!;
    const [payload, signature] = token.split(".");
    const other = JSON.parse(Buffer.from(payload, "base64url").toString());
    const forged = `${Buffer.from(JSON.stringify({ ...other, d: other.d + 1 })).toString("base64url")}.${signature}`;
    expect((await fetch(`${server.url}/notices/acknowledge/${forged}`)).status).toBe(404);
    const forgedPost = await fetch(`${server.url}/notices/acknowledge/${forged}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: forged }),
    });
    expect(forgedPost.status).toBe(404);
    const withoutToken = await fetch(`${server.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({}),
    });
    expect(withoutToken.status).toBe(400);
    const crossSite = await fetch(`${server.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: "https://evil.example" },
      body: new URLSearchParams({ token }),
    });
    expect(crossSite.status).toBe(403);
    expect((await acknowledgements()).map((a) => a.externalId)).not.toContain("fr-1");
  });
});
