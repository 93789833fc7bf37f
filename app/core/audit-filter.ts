/**
 * The audit log's filters (action, person, document, date range) as the workspace's address bar
 * carries them, and the exported lines (CSV and JSON Lines). Pure: the models turn a filter into SQL.
 */
import { addDays, isIsoDate } from "./dates";

export type AuditFilter = {
  /** An exact action, e.g. "version.published". */
  action?: string;
  /** An exact actor as the log records it: "user:3", "cli", "system". */
  actor?: string;
  documentId?: number;
  /** First and last calendar day (UTC), inclusive. */
  from?: string;
  to?: string;
};

const ACTION = /^[a-z]+(?:[.-][a-z]+)*$/;
const ACTOR = /^(?:user:\d+|cli|system)$/;

/**
 * Reads the filter from a query string. What cannot be read is left out and named in `problems`,
 * so a hand-edited address shows the whole log with a message rather than an error page.
 */
export function parseAuditFilter(params: URLSearchParams): { filter: AuditFilter; problems: string[] } {
  const filter: AuditFilter = {};
  const problems: string[] = [];
  const value = (name: string) => params.get(name)?.trim() || undefined;
  const action = value("action");
  if (action) {
    if (ACTION.test(action) && action.length <= 64) filter.action = action;
    else problems.push(`"${action.slice(0, 64)}" is not an action`);
  }
  const actor = value("person");
  if (actor) {
    if (ACTOR.test(actor)) filter.actor = actor;
    else problems.push(`"${actor.slice(0, 64)}" is not a person in the log`);
  }
  const document = value("document");
  if (document) {
    if (/^[1-9]\d{0,9}$/.test(document)) filter.documentId = Number(document);
    else problems.push(`"${document.slice(0, 64)}" is not a document`);
  }
  for (const [name, label] of [
    ["from", "From"],
    ["to", "To"],
  ] as const) {
    const date = value(name);
    if (!date) continue;
    if (isIsoDate(date)) filter[name] = date;
    else problems.push(`${label} "${date.slice(0, 32)}" is not a date (YYYY-MM-DD)`);
  }
  if (filter.from && filter.to && filter.from > filter.to) {
    problems.push(`From ${filter.from} is after To ${filter.to}: the dates were swapped`);
    [filter.from, filter.to] = [filter.to, filter.from];
  }
  return { filter, problems };
}

/** The filter as a query string (without "?"), for links that keep it: paging and export. */
export function auditFilterQuery(filter: AuditFilter, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  if (filter.action) params.set("action", filter.action);
  if (filter.actor) params.set("person", filter.actor);
  if (filter.documentId) params.set("document", String(filter.documentId));
  if (filter.from) params.set("from", filter.from);
  if (filter.to) params.set("to", filter.to);
  for (const [name, value] of Object.entries(extra)) params.set(name, value);
  return params.toString();
}

/** The instants the date range covers: [from 00:00 UTC, the day after `to` 00:00 UTC). */
export function auditRangeBounds(filter: AuditFilter): { since?: string; until?: string } {
  return {
    since: filter.from ? `${filter.from}T00:00:00.000Z` : undefined,
    until: filter.to ? `${addDays(filter.to, 1)}T00:00:00.000Z` : undefined,
  };
}

/** One exported entry: what the page shows, plus the chain's hashes (proof travels with the export). */
export type AuditExportRow = {
  id: number;
  at: string;
  actor: string;
  actorLabel: string;
  action: string;
  document: string | null;
  versionNumber: number | null;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
};

const AUDIT_CSV_HEADER = [
  "id",
  "at",
  "actor",
  "person",
  "action",
  "document",
  "version",
  "details",
  "prevHash",
  "hash",
];

/** A CSV cell: quoted, and a leading = + - @ (or tab/CR) neutralised so spreadsheets never run it. */
function csvCell(value: string | number | null | undefined): string {
  let text = value === null || value === undefined ? "" : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

export function auditCsvLine(row: AuditExportRow): string {
  return [
    row.id,
    row.at,
    row.actor,
    row.actorLabel,
    row.action,
    row.document,
    row.versionNumber,
    JSON.stringify(row.details),
    row.prevHash,
    row.hash,
  ]
    .map(csvCell)
    .join(",");
}

export function auditCsvHeader(): string {
  return AUDIT_CSV_HEADER.map(csvCell).join(",");
}

/** One JSON object per line; a line break inside a value is escaped by JSON itself. */
export function auditJsonLine(row: AuditExportRow): string {
  return JSON.stringify({
    id: row.id,
    at: row.at,
    actor: row.actor,
    person: row.actorLabel,
    action: row.action,
    document: row.document,
    version: row.versionNumber,
    details: row.details,
    prevHash: row.prevHash,
    hash: row.hash,
  });
}
