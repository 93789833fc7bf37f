/**
 * A privacy policy with history, made the way an operator makes it: through the `redline` command
 * line against the running server's database. After `publishHistory`:
 *  - version 1 (the demo content, published at start) is superseded,
 *  - version 2 (a reworded sentence, a new section, a formatting-only edit) is in effect,
 *  - version 3 (material: a new recipient) is published with an effective date 30 days ahead,
 *  - a German translation exists, published before version 2, so the original is newer,
 *  - a draft version 4 exists that the public must never see.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { ROOT, type RunningServer, redline } from "../support/server";

export const V2_SUMMARY = "We reworded how we collect information and added a section on accessibility.";
export const V3_SUMMARY = "We now share invoice data with Ledgerline Archive Ltd for long-term storage.";

const original = () => readFileSync(join(ROOT, "content/privacy.md"), "utf8");

/** Version 2: a substantive rewording, a formatting-only change and a new section. */
function secondVersion(): string {
  const text = original()
    .replace(
      "We collect only the information we need to run the Service",
      "We collect only the information we truly need to operate the Service",
    )
    .replace(
      "We have appointed a Data Protection Officer (DPO)",
      "We have appointed a **Data Protection Officer** (DPO)",
    )
    .replace(
      "## 12. Links to Other Websites",
      "## 12. Accessibility\n\nThis policy is also available in large print on request.\n\n## 13. Links to Other Websites",
    );
  expect(text).not.toBe(original());
  return text;
}

/** Version 3: a new recipient of invoice data (material). */
function thirdVersion(): string {
  return secondVersion().replace(
    "## 6. International Data Transfers",
    "We also send archived invoices to Ledgerline Archive Ltd, which stores them for ten years.\n\n## 6. International Data Transfers",
  );
}

const GERMAN = `# Datenschutzerklärung

## 1. Wer wir sind

Brightfern Ledger Ltd ist ein in England und Wales eingetragenes Unternehmen.

## 2. Welche Daten wir erheben

Wir erheben nur die Daten, die wir für den Dienst benötigen.
`;

async function cli(server: RunningServer, args: string[]) {
  const result = await redline(args, { DATABASE_URL: server.databaseUrl });
  if (result.code !== 0) throw new Error(`redline ${args.join(" ")} failed: ${result.stderr}`);
  return result.stdout.trim();
}

export const today = () => new Date().toISOString().slice(0, 10);
export const daysFromToday = (days: number) =>
  new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

/** Publishes the German translation and version 2 (in effect today). */
export async function publishCurrentHistory(server: RunningServer): Promise<void> {
  const file = (name: string, text: string) => {
    const path = join(server.directory, name);
    writeFileSync(path, text);
    return path;
  };
  await cli(server, ["import", "privacy", file("privacy-de.md", GERMAN), "--locale", "de"]);
  await cli(server, ["publish", "privacy", "--locale", "de"]);
  await cli(server, ["import", "privacy", file("privacy-2.md", secondVersion())]);
  await cli(server, ["publish", "privacy", "--summary", V2_SUMMARY]);
}

/** Publishes the material version 3 (upcoming) and leaves a draft version 4. */
export async function publishUpcomingHistory(server: RunningServer): Promise<void> {
  const file = (name: string, text: string) => {
    const path = join(server.directory, name);
    writeFileSync(path, text);
    return path;
  };
  await cli(server, ["import", "privacy", file("privacy-3.md", thirdVersion())]);
  await cli(server, [
    "publish",
    "privacy",
    "--material",
    "--summary",
    V3_SUMMARY,
    "--effective",
    daysFromToday(30),
  ]);
  await cli(server, [
    "import",
    "privacy",
    file("privacy-4.md", `${thirdVersion()}\n\nA secret draft sentence.\n`),
  ]);
}
