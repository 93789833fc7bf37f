import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireUser } from "~/auth/session.server";
import { formatDateTime, PageHeader } from "~/components/admin-ui";
import { capturedEmails } from "~/core/notify/delivery-outcome";
import { listNotices } from "~/models/notices.server";

export const meta: MetaFunction = () => [{ title: "Notices · Redline" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, { role: "viewer" });
  return {
    notices: await listNotices({ limit: 100 }),
    capturesMail: context.services.mail.captureUrl !== null,
  };
}

export default function Notices() {
  const { notices, capturesMail } = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeader title="Notices">
        {capturesMail ? <Link to="/admin/notices/mail">Captured mail</Link> : null}
      </PageHeader>
      <p className="muted">
        Every material version published with notices, newest first. Email goes out in batches of at most 100
        at the provider's rate.
      </p>
      {notices.length === 0 ? (
        <p>No notices yet. Publish a material change with notices to create one.</p>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>Notice</th>
              <th>Document</th>
              <th>Channels</th>
              <th>Email sent</th>
              <th>Failed</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {notices.map((n) => {
              const email = n.counts.email;
              const total = email ? Object.values(email).reduce((a, b) => a + b, 0) : 0;
              const sent = email ? email.sent + email.delivered + email.bounced + email.complained : 0;
              const captured = capturedEmails(n.emailTransports);
              return (
                <tr key={n.id}>
                  <td>
                    <Link to={`/admin/notices/${n.id}`}>#{n.id}</Link>
                  </td>
                  <td>
                    {n.slug} ({n.locale}) version {n.version}
                  </td>
                  <td>{n.channels.join(", ")}</td>
                  <td>
                    {email ? `${sent} / ${total}` : "—"}
                    {captured.sent + captured.delivered > 0 ? (
                      <div>
                        <span className="badge badge-captured">
                          {`${captured.sent + captured.delivered} captured, not delivered`}
                        </span>
                      </div>
                    ) : null}
                  </td>
                  <td>{email?.failed ?? 0}</td>
                  <td>{formatDateTime(n.createdAt)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </>
  );
}
