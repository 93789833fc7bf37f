import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import type { ReactNode } from "react";
import { can } from "~/auth/roles";
import { requireUser } from "~/auth/session.server";
import { formatDateTime, PageHeader } from "~/components/admin-ui";
import { formatLongDate } from "~/core/dates";
import { countOf } from "~/core/plural";
import { getEnv } from "~/env.server";
import { listDocuments } from "~/models/documents.server";
import { workspaceOverview } from "~/models/overview.server";
import { activeBreakGlassAdmins, recentBreakGlassSignIns } from "~/models/sso.server";

/** How far back the overview lists break-glass sign-ins. */
const BREAK_GLASS_DAYS = 30;

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, { role: "viewer" });
  const [overview, documents] = await Promise.all([workspaceOverview({ userId: user.id }), listDocuments()]);
  const drafts = documents.filter((d) => d.openVersion?.state === "draft");
  // Admins see every use of a break-glass account: a password sign-in while passwords are off.
  const breakGlass = can(user.role, "manageUsers")
    ? {
        passwordsOff: getEnv().AUTH_PASSWORDS === "off",
        uses: await recentBreakGlassSignIns({ since: new Date(Date.now() - BREAK_GLASS_DAYS * 86_400_000) }),
        accounts: await activeBreakGlassAdmins(),
      }
    : null;
  return {
    overview,
    canReview: can(user.role, "review"),
    canPublish: can(user.role, "publish"),
    drafts,
    documentCount: documents.length,
    breakGlass,
  };
}

/** One heading and list of the overview; says plainly when there is nothing. */
function Need({
  title,
  empty,
  count,
  children,
}: {
  title: string;
  empty: string;
  count: number;
  children: ReactNode;
}) {
  const id = `need-${title.toLowerCase().replace(/[^a-z]+/g, "-")}`;
  return (
    <section className="panel need" aria-labelledby={id}>
      <h2 id={id}>
        {title} <span className="need-count">{count}</span>
      </h2>
      {count === 0 ? <p className="muted">{empty}</p> : <ul className="plain-list">{children}</ul>}
    </section>
  );
}

export default function Overview() {
  const { overview, canReview, canPublish, drafts, documentCount, breakGlass } =
    useLoaderData<typeof loader>();
  const forMe = overview.inReview.filter((v) => canReview && !v.yours);
  const summary = [
    canReview ? countOf(forMe.length, { one: "review waits for you", other: "reviews wait for you" }) : null,
    canPublish
      ? countOf(overview.approved.length, {
          one: "approved version to publish",
          other: "approved versions to publish",
        })
      : null,
    countOf(overview.sending.length, { one: "send in progress", other: "sends in progress" }),
    countOf(overview.failed.length, {
      one: "notice with failed emails",
      other: "notices with failed emails",
    }),
  ].filter(Boolean);
  return (
    <>
      <PageHeader title="Overview">
        <Link to="/admin/documents" className="button">
          All documents ({documentCount})
        </Link>
      </PageHeader>
      <p className="need-summary" data-testid="what-needs-me">
        {summary.join(" · ")}
      </p>
      <div className="need-grid">
        <Need
          title={canReview ? "Waiting for your review" : "In review"}
          empty="Nothing is waiting for review."
          count={overview.inReview.length}
        >
          {overview.inReview.map((v) => (
            <li key={`${v.documentId}-${v.number}`}>
              <Link to={`/admin/documents/${v.documentId}/review`}>{v.title}</Link>{" "}
              <span className="muted">
                version {v.number} · {v.slug} ({v.locale}) · since {formatDateTime(v.since)}
                {v.yours ? " · you wrote it: another approver must approve" : ""}
              </span>
            </li>
          ))}
        </Need>
        <Need
          title="Approved, not yet published"
          empty="No approved version waits."
          count={overview.approved.length}
        >
          {overview.approved.map((v) => (
            <li key={`${v.documentId}-${v.number}`}>
              {canPublish ? (
                <Link to={`/admin/documents/${v.documentId}/publish`}>{v.title}</Link>
              ) : (
                <Link to={`/admin/documents/${v.documentId}`}>{v.title}</Link>
              )}{" "}
              <span className="muted">
                version {v.number} · approved {formatDateTime(v.since)}
              </span>
            </li>
          ))}
        </Need>
        <Need
          title="Upcoming effective dates"
          empty="No change is announced."
          count={overview.upcoming.length}
        >
          {overview.upcoming.map((v) => (
            <li key={`${v.documentId}-${v.number}`}>
              <Link to={`/admin/documents/${v.documentId}/history`}>{v.title}</Link>{" "}
              <span className="muted">
                version {v.number} takes effect on {formatLongDate(v.effectiveAt)}
                {v.material ? " · material change" : ""}
              </span>
            </li>
          ))}
        </Need>
        <Need title="Sends in progress" empty="No email is being sent." count={overview.sending.length}>
          {overview.sending.map((n) => (
            <li key={n.noticeId}>
              <Link to={`/admin/notices/${n.noticeId}`}>Notice #{n.noticeId}</Link>{" "}
              <span className="muted">
                {n.slug} version {n.version} · {n.done} of {n.total} emails resolved
              </span>
            </li>
          ))}
        </Need>
        <Need title="Failed deliveries" empty="No email has failed." count={overview.failed.length}>
          {overview.failed.map((n) => (
            <li key={n.noticeId}>
              <Link to={`/admin/notices/${n.noticeId}`}>Notice #{n.noticeId}</Link>{" "}
              <span className="muted">
                {n.slug} version {n.version} ·{" "}
                {countOf(n.failed, { one: "failed email", other: "failed emails" })}
              </span>
            </li>
          ))}
        </Need>
        <Need
          title="Acknowledgements"
          empty="No notice asks for acknowledgement."
          count={overview.acknowledgements.length}
        >
          {overview.acknowledgements.map((a) => (
            <li key={a.noticeId}>
              <Link to={`/admin/acknowledgements/${a.noticeId}`}>Notice #{a.noticeId}</Link>{" "}
              <span className="muted">
                {a.slug} version {a.version} · {a.acknowledged} of {a.targeted} acknowledged
                {a.targeted > 0 ? ` (${Math.floor((a.acknowledged / a.targeted) * 100)}%)` : ""}
              </span>
            </li>
          ))}
        </Need>
      </div>
      {breakGlass && (breakGlass.passwordsOff || breakGlass.uses.length > 0) ? (
        <section className="panel" aria-labelledby="break-glass">
          <h2 id="break-glass">Break-glass sign-ins</h2>
          {breakGlass.uses.length === 0 ? (
            <p className="muted">
              No break-glass account signed in with a password in the last {BREAK_GLASS_DAYS} days.
            </p>
          ) : (
            <ul className="plain-list">
              {breakGlass.uses.map((use) => (
                <li key={`${use.at}-${use.email}`}>
                  <strong>{use.email}</strong> signed in with a password on {formatDateTime(use.at)}
                </li>
              ))}
            </ul>
          )}
          {breakGlass.passwordsOff && breakGlass.accounts.length === 0 ? (
            <p className="notice notice-warning">
              Passwords are off and there is no break-glass admin: if the identity provider fails, nobody can
              sign in. Add one with <code>redline user add … --role admin --break-glass</code>.
            </p>
          ) : null}
        </section>
      ) : null}
      <section className="panel">
        <h2>Drafts in progress</h2>
        {drafts.length === 0 ? (
          <p className="muted">No drafts are open.</p>
        ) : (
          <ul className="plain-list">
            {drafts.map((d) => (
              <li key={d.id}>
                <Link to={`/admin/documents/${d.id}`}>{d.title}</Link>{" "}
                <span className="muted">
                  version {d.openVersion?.number}, revision {d.openVersion?.revision}, saved{" "}
                  {formatDateTime(d.openVersion?.updatedAt)}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
