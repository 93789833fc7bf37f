import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { can } from "~/auth/roles";
import { requireUser } from "~/auth/session.server";
import { formatDateTime, PageHeader, StateBadge } from "~/components/admin-ui";
import { listDocuments } from "~/models/documents.server";
import { listPendingReviews } from "~/models/review.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, { role: "viewer" });
  const [pending, documents] = await Promise.all([listPendingReviews(), listDocuments()]);
  const drafts = documents.filter((d) => d.openVersion?.state === "draft");
  return { role: user.role, pending, drafts, documentCount: documents.length };
}

export default function Overview() {
  const { role, pending, drafts, documentCount } = useLoaderData<typeof loader>();
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
