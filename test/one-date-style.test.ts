/**
 * One date and time style (issue 15 item 14): app/core/dates.ts is the only place that formats a
 * date or time for people. A `toLocaleString` or an `Intl.DateTimeFormat` anywhere else in the
 * application is how the editor came to say "7:03:45 PM" and "11/30/2026" beside "30 Nov 2026, 19:04 UTC".
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..");
const FORMATTER = "app/core/dates.ts";

function sourcesUnder(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { withFileTypes: true }).flatMap((entry) => {
    const path = `${folder}/${entry.name}`;
    if (entry.isDirectory()) return sourcesUnder(path);
    return /\.(ts|tsx)$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

it("formats dates and times for people only in app/core/dates.ts", () => {
  const offenders = [...sourcesUnder("app"), ...sourcesUnder("server")]
    .filter((path) => path !== FORMATTER)
    .flatMap((path) =>
      readFileSync(join(ROOT, path), "utf8")
        .split("\n")
        .map((line, i) => ({ path, line: i + 1, text: line }))
        .filter(({ text }) =>
          /\.toLocale(Date|Time)?String\(|Intl\.DateTimeFormat|\.toUTCString\(|\.toDateString\(/.test(text),
        )
        .map(({ path: file, line, text }) => `${file}:${line}: ${text.trim()}`),
    );
  expect(offenders).toEqual([]);
});
