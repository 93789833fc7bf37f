import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readPdf } from "../../test/support/pdf-text";
import { computeRedline } from "../core/diff";
import { markdown } from "../core/diff/test-support";
import { drawPdf, type PdfRequest } from "./draw";

const demo = readFileSync(new URL("../../content/privacy.md", import.meta.url), "utf8");
const header: PdfRequest["header"] = {
  organisation: "Brightfern Ledger Ltd",
  title: "Privacy Policy",
  heading: "Version 3",
  facts: ["Last updated: 27 November 2026", "Effective date: 27 December 2026"],
  notes: [{ label: "Material change", text: "We now share invoices with Ledgerline." }],
};

describe("drawPdf", { timeout: 30_000 }, () => {
  it("draws the header, the whole text on numbered pages and the safe links", async () => {
    const source = `${demo}\n\nWrite to [our DPO](mailto:dpo@example.com) or [click](javascript:alert(1)). Ünïcödé: Łódź, Ελληνικά, Кириллица.\n`;
    const bytes = await drawPdf({
      header,
      locale: "en",
      body: { kind: "document", content: markdown(source) },
    });
    expect(Buffer.from(bytes.subarray(0, 5)).toString()).toBe("%PDF-");
    const pdf = await readPdf(bytes);
    expect(pdf.title).toBe("Privacy Policy");
    expect(pdf.pages.length).toBeGreaterThan(1);
    expect(pdf.pages[0]).toContain("BRIGHTFERN LEDGER LTD");
    expect(pdf.text).toContain("Last updated: 27 November 2026");
    expect(pdf.text).toContain("Effective date: 27 December 2026");
    expect(pdf.text).toContain("Material change: We now share invoices with Ledgerline.");
    expect(pdf.text).toContain("We collect only the information we need to run the Service");
    expect(pdf.text).toContain("Ünïcödé: Łódź, Ελληνικά, Кириллица.");
    for (const [index, page] of pdf.pages.entries()) {
      expect(page).toContain(`Page ${index + 1} of ${pdf.pages.length}`);
    }
    expect(pdf.links).toContain("mailto:dpo@example.com");
    expect(pdf.links.some((link) => link.startsWith("javascript"))).toBe(false);
  });

  it("draws a redline whose changes read without colour", async () => {
    const older = markdown("## 1. Retention\n\nWe keep invoices for 24 months.\n");
    const newer = markdown("## 1. Retention\n\nWe keep invoices for 36 months.\n");
    const { blocks } = computeRedline({ older, newer });
    const bytes = await drawPdf({
      header: { ...header, heading: "Changes from version 2 to version 3", legend: true },
      locale: "en",
      body: { kind: "redline", blocks },
    });
    const pdf = await readPdf(bytes);
    expect(pdf.text).toContain(
      "Legend: [+ added text ] (double underlined), [− removed text ] (struck through).",
    );
    expect(pdf.text).toContain("We keep invoices for [− 24 ] [+ 36 ] months.");
  });
});
