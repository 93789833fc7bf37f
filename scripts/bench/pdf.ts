/**
 * "Download PDF" benchmark: `npm run bench -- pdf` (ADR 0030). Median and worst drawing times, in
 * this thread, of the demo policy, of a policy four times its length and of the redline between the
 * demo policy and a reworded copy; the first drawing (loading pdfkit and the fonts) is shown apart.
 */
import { readFileSync } from "node:fs";
import { computeRedline } from "../../app/core/diff";
import { parsePolicy } from "../../app/core/document";
import { drawPdf, type PdfRequest } from "../../app/pdf/draw";

const RUNS = 9;

export async function run(): Promise<void> {
  const source = readFileSync(new URL("../../content/privacy.md", import.meta.url), "utf8");
  const demo = parsePolicy(source, "markdown").content;
  const long = parsePolicy([source, source, source, source].join("\n\n"), "markdown").content;
  const reworded = parsePolicy(
    source
      .replace("We collect only the information we need to run the Service", "We collect what we need")
      .replace(/30 days/g, "60 days"),
    "markdown",
  ).content;
  const header: PdfRequest["header"] = {
    organisation: "Brightfern Ledger Ltd",
    title: "Privacy Policy",
    heading: "Version 2",
    facts: ["Last updated: 27 November 2026", "Effective date: 27 December 2026"],
    notes: [],
  };
  const cases: [string, PdfRequest][] = [
    ["demo policy", { header, locale: "en", body: { kind: "document", content: demo } }],
    ["demo policy × 4", { header, locale: "en", body: { kind: "document", content: long } }],
    [
      "redline of the demo policy",
      {
        header: { ...header, legend: true },
        locale: "en",
        body: { kind: "redline", blocks: computeRedline({ older: demo, newer: reworded }).blocks },
      },
    ],
  ];
  const started = performance.now();
  await drawPdf(cases[0][1]);
  console.log(`first PDF (loads pdfkit and the fonts): ${(performance.now() - started).toFixed(0)} ms\n`);
  console.log("| PDF | bytes | median | worst |\n| --- | --- | --- | --- |");
  for (const [name, request] of cases) {
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < RUNS; i++) {
      const start = performance.now();
      bytes = (await drawPdf(request)).length;
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    console.log(
      `| ${name} | ${bytes.toLocaleString("en")} | ${median.toFixed(0)} ms | ${times[times.length - 1].toFixed(0)} ms |`,
    );
  }
}
