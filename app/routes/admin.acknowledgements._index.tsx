import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireUser } from "~/auth/session.server";
import { formatDateTime, PageHeader } from "~/components/admin-ui";
import { acknowledgementOverview } from "~/models/acknowledgements.server";

export const meta: MetaFunction = () => [{ title: "Acknowledgements · Redline" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request, { role: "viewer" });
  return { notices: await acknowledgementOverview({ limit: 100 }) };
}

export default function Acknowledgements() {
  const { notices } = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeader title="Acknowledgements">
        <Link to="/admin/subscribers">Subscribers</Link>
      </PageHeader>
      <p className="muted">
        Per notice: how many of the people it reached have acknowledged that version (or a later one). Open a
        notice for the names and a CSV export.
      </p>
      {notices.length === 0 ? (
        <p>No notices yet.</p>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>Notice</th>
              <th>Version</th>
              <th>Channels</th>
              <th>Acknowledged</th>
              <th>Not yet</th>
              <th>Email undelivered</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {notices.map((n) => (
              <tr key={n.noticeId}>
                <td>
                  <Link to={`/admin/acknowledgements/${n.noticeId}`}>#{n.noticeId}</Link>
                </td>
                <td>
                  {n.slug} ({n.locale}) v{n.version}
                  {n.material ? (
                    <>
                      {" "}
                      <span className="badge badge-material">material</span>
                    </>
                  ) : null}
                  {n.requiresAck ? <div className="small muted">acknowledgement required</div> : null}
                </td>
                <td>{n.channels.join(", ")}</td>
                <td>
                  {n.acknowledged} of {n.targeted}
                </td>
                <td>{n.targeted - n.acknowledged}</td>
                <td>{n.emailUndelivered}</td>
                <td>{formatDateTime(n.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
