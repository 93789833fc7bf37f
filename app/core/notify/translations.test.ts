import { describe, expect, it } from "vitest";
import { pickTranslations, type TranslationCandidate, translationFor } from "./translations";

const source = { documentId: 1, versionId: 30, publishedAt: "2026-11-01T00:00:00.000Z" };
const candidate = (over: Partial<TranslationCandidate>): TranslationCandidate => ({
  locale: "de",
  title: "Datenschutzerklärung",
  number: 1,
  summary: "Neu: Parcelpay.",
  publishedAt: "2026-11-02T00:00:00.000Z",
  basedOnVersionId: 30,
  basedOnDocumentId: 1,
  ...over,
});

describe("the translation that speaks for a notice", () => {
  it("is the published translation based on the notice's version", () => {
    const picked = pickTranslations(source, [candidate({})]);
    expect(translationFor(picked, "de-DE")).toMatchObject({
      title: "Datenschutzerklärung",
      summary: "Neu: Parcelpay.",
    });
    expect(translationFor(picked, "fr")).toBeNull();
  });

  it("is never one based on another source version, nor one without a summary", () => {
    expect(pickTranslations(source, [candidate({ basedOnVersionId: 29 })]).size).toBe(0);
    expect(pickTranslations(source, [candidate({ summary: "  " })]).size).toBe(0);
  });

  it("is a later translation version (based on its own predecessor) published after the source version", () => {
    const later = candidate({
      number: 2,
      basedOnVersionId: 500,
      basedOnDocumentId: 2,
      summary: "Zweite Fassung.",
    });
    const older = candidate({
      number: 2,
      basedOnVersionId: 500,
      basedOnDocumentId: 2,
      publishedAt: "2026-10-01T00:00:00.000Z",
    });
    expect(translationFor(pickTranslations(source, [candidate({}), later]), "de")?.summary).toBe(
      "Zweite Fassung.",
    );
    expect(pickTranslations(source, [older]).size).toBe(0);
  });

  it("prefers the exact locale to another of the same language", () => {
    const picked = pickTranslations(source, [
      candidate({ locale: "pt-PT", title: "PT" }),
      candidate({ locale: "pt-BR", title: "BR" }),
    ]);
    expect(translationFor(picked, "pt-BR")?.title).toBe("BR");
    expect(translationFor(picked, "pt")?.title).toBe("PT");
  });
});
