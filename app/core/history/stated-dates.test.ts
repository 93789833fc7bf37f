import { describe, expect, it } from "vitest";
import { statedDates } from "./stated-dates";

describe("the dates a policy states about itself", () => {
  it.each([
    ["en", "Privacy Policy\n\nLast updated: May 5, 2023", { lastUpdated: "2023-05-05", effectiveAt: null }],
    ["en-GB", "Effective date: 5 May 2023", { lastUpdated: null, effectiveAt: "2023-05-05" }],
    ["en", "Effective date: **October 11, 2017**", { lastUpdated: null, effectiveAt: "2017-10-11" }],
    [
      "de",
      "Datenschutzerklärung\n\nZuletzt aktualisiert am 5. Mai 2023\n\nGültig ab 1. Juni 2023",
      { lastUpdated: "2023-05-05", effectiveAt: "2023-06-01" },
    ],
    ["de", "Stand: 05.05.2023", { lastUpdated: "2023-05-05", effectiveAt: null }],
    [
      "fr",
      "Mis à jour le 5 mai 2023\n\nDate d'entrée en vigueur : 1er juin 2023",
      { lastUpdated: "2023-05-05", effectiveAt: "2023-06-01" },
    ],
    ["fr", "Dernière mise à jour : 12 janvier 2022", { lastUpdated: "2022-01-12", effectiveAt: null }],
    ["nl", "Laatst bijgewerkt: 5 mei 2023", { lastUpdated: "2023-05-05", effectiveAt: null }],
    ["es", "Última actualización: 5 de mayo de 2023", { lastUpdated: "2023-05-05", effectiveAt: null }],
  ])("reads %s: %j", (locale, text, expected) => {
    expect(statedDates(text, locale)).toEqual(expected);
  });

  it("reads an English numeric date day first outside the United States", () => {
    expect(statedDates("Last updated: 05/04/2023", "en-GB").lastUpdated).toBe("2023-04-05");
    expect(statedDates("Last updated: 05/04/2023", "en").lastUpdated).toBe("2023-05-04");
  });

  it("takes a label only when a whole date follows it at once", () => {
    const text = [
      "We use pixels to make our emails more effective.",
      "Changes become effective 30 days after we tell you.",
      "We updated this policy in May.",
      "This notice was last updated on 2 March 2021.",
    ].join("\n\n");
    expect(statedDates(text, "en")).toEqual({ lastUpdated: "2021-03-02", effectiveAt: null });
  });

  it("takes the first statement of each date", () => {
    const text = "Last updated: March 1, 2024\n\nHistory: last updated January 1, 2020";
    expect(statedDates(text, "en").lastUpdated).toBe("2024-03-01");
  });
});
