import { createReadStream } from "node:fs";
import { pipeline, Readable } from "node:stream";
import { parse } from "csv-parse";
import { type SubscriberInput, subscriberFromCsvRecord } from "../core/notify/subscriber";
import type { ImportProgress, ImportReport, RejectedRow } from "../core/notify/subscriber-import";
import { upsertSubscribers } from "../models/subscribers.server";

export type { ImportProgress, ImportReport } from "../core/notify/subscriber-import";

const CHUNK = 5000;

/** A header row that cannot be read: nothing was imported. */
export class CsvHeaderError extends Error {
  override name = "CsvHeaderError";
}

/**
 * A header row the import cannot read without guessing: a column without a name, or a name given
 * twice (compared ignoring case: "Email" beside "email" is the same column to a person), which
 * would silently keep only one of the two cells.
 */
function headerProblem(columns: string[]): string | null {
  const seen = new Map<string, number>();
  for (const [index, column] of columns.entries()) {
    if (column === "") return `column ${index + 1} of the header row has no name`;
    const key = column.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) {
      const name = JSON.stringify(column.slice(0, 100));
      return `the header row has the column ${name} twice (columns ${first + 1} and ${index + 1}): every column needs its own name`;
    }
    seen.set(key, index);
  }
  return null;
}
const KEEP_REJECTIONS = 1000;

/**
 * Streams a CSV of subscribers (header row: externalId,email[,name][,locale][,attributes][,…])
 * into the database in chunks of 5,000 rows per transaction, so memory stays flat and a 1M-row
 * file takes seconds. Bad rows are reported with their line number and reason and skipped; good
 * rows are kept. An externalId repeated in the file is rejected on every line after its first.
 *
 * `source` is a file path (the CLI) or the bytes as they arrive (the workspace upload); both go
 * through these same rules. `name` names the source in a header error; `chunkSize` rows are
 * written per transaction (the web server takes smaller ones, so that no transaction holds the
 * event loop for long); `onProgress` hears after each chunk.
 */
export async function importSubscribersCsv(
  source: string | AsyncIterable<Uint8Array>,
  {
    name = typeof source === "string" ? source : "the file",
    chunkSize = CHUNK,
    onProgress,
  }: { name?: string; chunkSize?: number; onProgress?: (progress: ImportProgress) => void } = {},
): Promise<ImportReport> {
  const report: ImportReport = {
    rows: 0,
    created: 0,
    updated: 0,
    rejected: [],
    moreRejected: 0,
    stopped: null,
  };
  const seen = new Map<string, number>();
  let chunk: { line: number; subscriber: SubscriberInput }[] = [];
  // csv-parse counts rows of the wrong length cumulatively; a rise marks the current row.
  let wrongLength = 0;

  const reject = (row: RejectedRow) => {
    if (report.rejected.length < KEEP_REJECTIONS) report.rejected.push(row);
    else report.moreRejected++;
  };
  const flush = async () => {
    if (chunk.length === 0) return;
    const outcomes = await upsertSubscribers(chunk.map((c) => c.subscriber));
    for (const [i, outcome] of outcomes.entries()) {
      if (outcome === "created") report.created++;
      else if (outcome === "updated") report.updated++;
      else {
        reject({
          line: chunk[i].line,
          externalId: chunk[i].subscriber.externalId,
          reason: "this externalId was erased; it cannot be given personal data again",
        });
      }
    }
    chunk = [];
    tell();
  };
  let toldAt = 0;
  const tell = () => {
    toldAt = report.rows;
    onProgress?.({
      rows: report.rows,
      created: report.created,
      updated: report.updated,
      rejected: report.rejected.length + report.moreRejected,
    });
  };

  const input = typeof source === "string" ? createReadStream(source) : Readable.from(source);
  const parser = parse({
    columns: (header: string[]) => {
      const columns = header.map((h) => h.trim());
      const problem = headerProblem(columns);
      if (problem) throw new CsvHeaderError(`${name}: ${problem}`);
      for (const required of ["externalId", "email"]) {
        if (!columns.includes(required)) {
          throw new CsvHeaderError(
            `${name}: the header row needs an "${required}" column (found: ${columns.join(", ")})`,
          );
        }
      }
      return columns;
    },
    bom: true,
    skip_empty_lines: true,
    info: true,
    // A row with the wrong number of cells is reported, not fatal.
    relax_column_count: true,
  });
  // pipeline, not pipe: an error of the source (a read that fails, an upload over its limit) must
  // end the iteration below with that error instead of leaving the parser waiting for more bytes.
  pipeline(input, parser, () => {});
  const records = parser as AsyncIterable<{
    record: Record<string, string>;
    info: { lines: number; invalid_field_length: number };
  }>;
  let lastLine = 1;
  try {
    for await (const { record, info } of records) {
      report.rows++;
      // A file of mostly bad rows writes few chunks: progress is told by rows read as well.
      if (report.rows - toldAt > chunkSize) tell();
      // Parsed rows arrive as resolved promises, so this loop would run a whole buffered file without
      // ever letting the event loop take other requests: step aside once per chunk's worth of rows.
      if (report.rows % chunkSize === 0) await new Promise((resolve) => setImmediate(resolve));
      const line = info.lines;
      lastLine = line;
      const externalId = record.externalId?.trim() || null;
      if (info.invalid_field_length > wrongLength) {
        wrongLength = info.invalid_field_length;
        reject({ line, externalId, reason: "the row does not have as many cells as the header" });
        continue;
      }
      const result = subscriberFromCsvRecord(record);
      if (!result.ok) {
        reject({ line, externalId, reason: result.reason });
        continue;
      }
      const first = seen.get(result.subscriber.externalId);
      if (first !== undefined) {
        reject({ line, externalId, reason: `duplicate externalId "${externalId}" (first on line ${first})` });
        continue;
      }
      seen.set(result.subscriber.externalId, line);
      chunk.push({ line, subscriber: result.subscriber });
      if (chunk.length >= chunkSize) await flush();
    }
  } catch (error) {
    const { code, lines, message } = error as { code?: string; lines?: number; message: string };
    // A missing header column is the caller's mistake, not a broken file: nothing was imported.
    if (!code?.startsWith("CSV_")) throw error;
    report.stopped = { line: lines ?? lastLine + 1, reason: message };
  }
  await flush();
  report.rejected.sort((a, b) => a.line - b.line);
  return report;
}
