import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { requireUser } from "~/auth/session.server";
import { formatDateTime, Notice, PageHeader } from "~/components/admin-ui";
import { auditFilterQuery, parseAuditFilter } from "~/core/audit-filter";
import { parsePositiveInteger } from "~/core/identifiers";
import { databaseRuleProblems, recentAuditVerification } from "~/models/audit.server";
import { auditFilterChoices, auditPage } from "~/models/audit-view.server";

export const meta: MetaFunction = () => [{ title: "Audit log · Redline" }];

const PAGE_SIZE = 100;

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request, { role: "viewer" });
  const params = new URL(request.url).searchParams;
  const before = parsePositiveInteger(params.get("before")) ?? undefined;
  const { filter, problems: filterProblems } = parseAuditFilter(params);
  const [entries, verification, choices, ruleProblems] = await Promise.all([
    auditPage({ before, limit: PAGE_SIZE, filter }),
    recentAuditVerification(),
    auditFilterChoices(),
    databaseRuleProblems({ foreignKeys: false }),
  ]);
  // The chain break has its own message below; everything else is listed. The scans of whole
  // tables (orphaned rows, proof rows against entries) are left to `redline audit verify`.
  const problems = [...verification.problems.filter((p) => p.kind !== "chain"), ...ruleProblems];
  return {
    entries,
    filter,
    filterProblems,
    choices,
    verification,
    problems: problems.map((p) => p.message),
    more: entries.length === PAGE_SIZE ? entries[entries.length - 1].id : null,
  };
}

/** Details worth showing inline; hashes and ids are left to `redline audit verify` and the database. */
function describe(details: Record<string, unknown>): string {
  const shown = [
    "revision",
    "from",
    "to",
    "comment",
    "reason",
    "effectiveAt",
    "lastUpdated",
    "material",
    "summary",
    "email",
    "role",
    "name",
    "restoredFrom",
  ];
  return shown
    .filter((key) => details[key] !== undefined && details[key] !== null && details[key] !== "")
    .map((key) => `${key}: ${String(details[key])}`)
    .join(" · ");
}

export default function AuditLog() {
  const { entries, filter, filterProblems, choices, verification, problems, more } =
    useLoaderData<typeof loader>();
  const filtered = Object.keys(filter).length > 0;
  return (
    <>
      <PageHeader title="Audit log" />
      {verification.break ? (
        <Notice kind="error">
          The hash chain is broken at entry {verification.break.id} ({verification.break.reason}): an entry
          was changed, removed or inserted outside Redline.
        </Notice>
      ) : problems.length === 0 ? (
        <Notice kind="success">
          Chain verified at {formatDateTime(verification.checkedAt)}: all {verification.entries} entries are
          intact, signed and in order.
        </Notice>
      ) : null}
      {problems.length > 0 ? (
        <Notice kind="error">
          The audit log or the database's protective rules were tampered with:
          <ul>
            {problems.map((problem) => (
              <li key={problem}>{problem}</li>
            ))}
          </ul>
          Run <code>redline audit verify</code> for the full check, including the proof tables.
        </Notice>
      ) : null}
      {verification.head ? (
        <p className="small">
          Chain head: <code>{verification.head.hash}</code> (entry {verification.head.id}). Keep it somewhere
          else to prove later, with <code>redline audit verify --head</code>, that nothing before it changed.
        </p>
      ) : null}
      <Form
        method="get"
        className="audit-filters"
        aria-label="Filter the audit log"
        // A new filter from the address (a link, Back) shows in the fields: remount them.
        key={JSON.stringify(filter)}
      >
        <div className="field">
          <label htmlFor="audit-action">Action</label>
          <select id="audit-action" name="action" defaultValue={filter.action ?? ""}>
            <option value="">Any action</option>
            {choices.actions.map((action) => (
              <option key={action} value={action}>
                {action}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="audit-person">Person</label>
          <select id="audit-person" name="person" defaultValue={filter.actor ?? ""}>
            <option value="">Anyone</option>
            {choices.people.map((person) => (
              <option key={person.actor} value={person.actor}>
                {person.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="audit-document">Document</label>
          <select
            id="audit-document"
            name="document"
            defaultValue={filter.documentId ? String(filter.documentId) : ""}
          >
            <option value="">Any document</option>
            {choices.documents.map((document) => (
              <option key={document.id} value={document.id}>
                {document.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="audit-from">From</label>
          <input type="date" id="audit-from" name="from" defaultValue={filter.from ?? ""} />
        </div>
        <div className="field">
          <label htmlFor="audit-to">To</label>
          <input type="date" id="audit-to" name="to" defaultValue={filter.to ?? ""} />
        </div>
        <button type="submit" className="button">
          Filter
        </button>
        {filtered ? <Link to="/admin/audit">Clear filters</Link> : null}
      </Form>
      {filterProblems.length > 0 ? (
        <Notice kind="warning">Some filters were left out: {filterProblems.join("; ")}.</Notice>
      ) : null}
      <p className="audit-export">
        Export {filtered ? "these entries" : "the whole log"} (oldest first, with their hashes):{" "}
        <a href={`/admin/audit/export?${auditFilterQuery(filter, { format: "csv" })}`} download>
          CSV
        </a>{" "}
        ·{" "}
        <a href={`/admin/audit/export?${auditFilterQuery(filter, { format: "jsonl" })}`} download>
          JSON Lines
        </a>
      </p>
      {entries.length === 0 ? <p className="muted">No entries match these filters.</p> : null}
      <table className="table audit-table">
        <thead>
          <tr>
            <th>#</th>
            <th>When</th>
            <th>Who</th>
            <th>What</th>
            <th>Document and version</th>
            <th>Details</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.id} className={verification.break?.id === e.id ? "is-broken" : undefined}>
              <td>{e.id}</td>
              <td>
                <time dateTime={e.at}>{formatDateTime(e.at)}</time>
              </td>
              <td>{e.actorLabel}</td>
              <td>
                <code>{e.action}</code>
              </td>
              <td>
                {e.documentId ? <Link to={`/admin/documents/${e.documentId}`}>{e.document}</Link> : "—"}
                {e.versionNumber ? ` · version ${e.versionNumber}` : ""}
              </td>
              <td className="small">{describe(e.details)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {more ? (
        <p>
          <Link to={`?${auditFilterQuery(filter, { before: String(more) })}`}>Older entries</Link>
        </p>
      ) : null}
    </>
  );
}
