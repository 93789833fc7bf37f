import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { can } from "~/auth/roles";
import { requireUser } from "~/auth/session.server";
import { formatDateTime, PageHeader, StateBadge } from "~/components/admin-ui";
import { getEnv } from "~/env.server";
import { listDocuments } from "~/models/documents.server";
import { listPendingReviews } from "~/models/review.server";
import { activeBreakGlassAdmins, recentBreakGlassSignIns } from "~/models/sso.server";

/** How far back the overview lists break-glass sign-ins. */
const BREAK_GLASS_DAYS = 30;

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, { role: "viewer" });
  const [pending, documents] = await Promise.all([listPendingReviews(), listDocuments()]);
  const drafts = documents.filter((d) => d.openVersion?.state === "draft");
  // Admins see every use of a break-glass account: a password sign-in while passwords are off.
  const breakGlass = can(user.role, "manageUsers")
    ? {
        passwordsOff: getEnv().AUTH_PASSWORDS === "off",
        uses: await recentBreakGlassSignIns({ since: new Date(Date.now() - BREAK_GLASS_DAYS * 86_400_000) }),
        accounts: await activeBreakGlassAdmins(),
      }
    : null;
  return { role: user.role, pending, drafts, documentCount: documents.length, breakGlass };
}

export default function Overview() {
  const { role, pending, drafts, documentCount, breakGlass } = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeader title="Overview">
        <Link to="/admin/documents" className="button">
          All documents ({documentCount})
        </Link>
      </PageHeader>
      <section className="panel">
        <h2>{can(role, "review") ? "Waiting for review or publication" : "In review"}</h2>
        {pending.length === 0 ? (
          <p className="muted">Nothing is waiting for review.</p>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th>Document</th>
                <th>Version</th>
                <th>State</th>
                <th>Since</th>
              </tr>
            </thead>
            <tbody>
              {pending.map((item) => (
                <tr key={`${item.documentId}-${item.number}`}>
                  <td>
                    <Link to={`/admin/documents/${item.documentId}`}>{item.title}</Link>{" "}
                    <span className="muted">
                      {item.slug} · {item.locale}
                    </span>
                  </td>
                  <td>{item.number}</td>
                  <td>
                    <StateBadge state={item.state} />
                  </td>
                  <td>{formatDateTime(item.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
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
