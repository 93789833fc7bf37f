/**
 * What a subscribers CSV import reports, shared by the CLI, the server and the workspace page that
 * uploads a file (which must not import server modules, not even for a type).
 */

export type RejectedRow = { line: number; externalId: string | null; reason: string };

export type ImportReport = {
  rows: number;
  created: number;
  updated: number;
  rejected: RejectedRow[];
  /** Rejections beyond the ones kept in `rejected`. */
  moreRejected: number;
  /** Set when the file itself is broken (e.g. an unclosed quote): rows before it were imported. */
  stopped: { line: number; reason: string } | null;
};

/** Where the import stands, told after every chunk written and every chunk of rows read. */
export type ImportProgress = { rows: number; created: number; updated: number; rejected: number };

/**
 * The upload's answer is a stream of these, one JSON object a line (application/x-ndjson): progress
 * as the rows are written, then the report, or why the file could not be imported.
 */
export type ImportEvent =
  | ({ type: "progress"; bytes: number } & ImportProgress)
  | { type: "done"; report: ImportReport }
  | { type: "failed"; message: string };

/** The upload's media type: the page sends the file as it is, with this type. */
export const SUBSCRIBER_CSV_TYPES = ["text/csv", "application/csv"] as const;
