import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireUser } from "~/auth/session.server";
import { formatDateTime, Notice, PageHeader } from "~/components/admin-ui";
import { parsePositiveInteger } from "~/core/identifiers";
import { databaseRuleProblems, recentAuditVerification } from "~/models/audit.server";
import { auditPage } from "~/models/audit-view.server";

export const meta: MetaFunction = () => [{ title: "Audit log · Redline" }];

const PAGE_SIZE = 100;

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request, { role: "viewer" });
  const before = parsePositiveInteger(new URL(request.url).searchParams.get("before")) ?? undefined;
  const [entries, verification, ruleProblems] = await Promise.all([
    auditPage({ before, limit: PAGE_SIZE }),
    recentAuditVerification(),
    databaseRuleProblems({ foreignKeys: false }),
  ]);
  // The chain break has its own message below; everything else is listed. The scans of whole
  // tables (orphaned rows, proof rows against entries) are left to `redline audit verify`.
  const problems = [...verification.problems.filter((p) => p.kind !== "chain"), ...ruleProblems];
  return {
    entries,
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
  const { entries, verification, problems, more } = useLoaderData<typeof loader>();
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
          <Link to={`?before=${more}`}>Older entries</Link>
        </p>
      ) : null}
    </>
  );
}
