import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireUser } from "~/auth/session.server";
import { formatDateTime, PageHeader } from "~/components/admin-ui";
import { deliveryStatusText, isCaptured, transportText } from "~/core/notify/delivery-outcome";
import { isEmailProblem } from "~/core/notify/statuses";
import { EXTERNAL_ID_PATTERN } from "~/core/notify/subscriber";
import { pendingNoticesFor } from "~/models/acknowledgements.server";
import { getProofLedger } from "~/models/proof.server";
import { getSubscriberRecord } from "~/models/subscribers.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.ledger.externalId ?? "Subscriber"} · Redline` },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireUser(request, { role: "viewer" });
  const externalId = params.externalId ?? "";
  if (!EXTERNAL_ID_PATTERN.test(externalId)) throw new Response("No such subscriber.", { status: 404 });
  const [record, ledger, pending] = await Promise.all([
    getSubscriberRecord(externalId),
    getProofLedger(externalId),
    pendingNoticesFor(externalId),
  ]);
  if (!record || !ledger) throw new Response("No such subscriber.", { status: 404 });
  return { profile: record.subscriber, ledger, pending: pending ?? [] };
}

export default function SubscriberPage() {
  const { profile, ledger, pending } = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeader title={`Subscriber ${ledger.externalId}`}>
        <Link to="/admin/subscribers">All subscribers</Link>
      </PageHeader>
      <section className="panel" aria-label="Profile">
        <h2>Profile</h2>
        <dl className="stack">
          <dt>Status</dt>
          <dd>
            {profile.status}
            {profile.statusReason ? ` (${profile.statusReason})` : ""}
            {profile.erasedAt ? ` · erased ${formatDateTime(profile.erasedAt)}` : ""}
          </dd>
          <dt>Email</dt>
          <dd>{profile.email ?? "—"}</dd>
          <dt>Name</dt>
          <dd>{profile.name ?? "—"}</dd>
          <dt>Locale</dt>
          <dd>{profile.locale}</dd>
          <dt>Attributes</dt>
          <dd>{profile.attributes ? <code>{JSON.stringify(profile.attributes)}</code> : "—"}</dd>
          <dt>Created</dt>
          <dd>{formatDateTime(profile.createdAt)}</dd>
        </dl>
      </section>
      <section className="panel" aria-label="Pending notices">
        <h2>Pending on the dashboard</h2>
        {pending.length === 0 ? (
          <p>Nothing pending.</p>
        ) : (
          <ul className="plain-list">
            {pending.map((p) => (
              <li key={p.id} data-pending-notice={p.id}>
                Notice #{p.id}: {p.document} ({p.locale}) version {p.version}
                {p.requiresAck ? " · acknowledgement required" : ""}
                {p.emailUndelivered ? (
                  <>
                    {" "}
                    <span className="badge badge-material">email undelivered — dashboard only</span>
                  </>
                ) : null}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="panel" aria-label="Proof of notice">
        <h2>Proof of notice</h2>
        <p className="muted">
          Every notice addressed to this person. Delivery outcomes and acknowledgements are also recorded in
          the hash-chained audit log (<code>redline audit verify</code>).
        </p>
        {ledger.notices.length === 0 ? (
          <p>No notices yet.</p>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th>Notice</th>
                <th>Version</th>
                <th>Channel</th>
                <th>Status</th>
                <th>Transport</th>
                <th>Provider message id</th>
                <th>Sent or captured</th>
                <th>Status since</th>
                <th>Acknowledged</th>
              </tr>
            </thead>
            <tbody>
              {ledger.notices.flatMap((entry) =>
                entry.deliveries.map((d, i) => (
                  <tr
                    key={`${entry.noticeId}-${d.channel}`}
                    data-notice={entry.noticeId}
                    data-channel={d.channel}
                  >
                    {i === 0 ? (
                      <>
                        <td rowSpan={entry.deliveries.length}>
                          <Link to={`/admin/acknowledgements/${entry.noticeId}`}>#{entry.noticeId}</Link>
                          {entry.requiresAck ? (
                            <div className="small muted">acknowledgement required</div>
                          ) : null}
                        </td>
                        <td rowSpan={entry.deliveries.length}>
                          {entry.document} ({entry.locale}) v{entry.version}
                        </td>
                      </>
                    ) : null}
                    <td>{d.channel}</td>
                    <td data-status={d.status}>
                      {isCaptured(d.transport) ? (
                        <span className="badge badge-captured">
                          {deliveryStatusText(d.status, d.transport)}
                        </span>
                      ) : (
                        d.status
                      )}
                      {d.channel === "email" && isEmailProblem(d.status) && !entry.acknowledgement ? (
                        <div>
                          <span className="badge badge-material">dashboard notice stays pending</span>
                        </div>
                      ) : null}
                    </td>
                    <td data-transport={d.transport ?? ""}>
                      {d.channel === "email" ? transportText(d.transport, d.sentAt !== null) : "—"}
                    </td>
                    <td>{d.providerMessageId ? <code>{d.providerMessageId}</code> : "—"}</td>
                    <td>{formatDateTime(d.sentAt)}</td>
                    <td>{formatDateTime(d.statusAt)}</td>
                    {i === 0 ? (
                      <td
                        rowSpan={entry.deliveries.length}
                        data-acknowledged={entry.acknowledgement ? "yes" : "no"}
                      >
                        {entry.acknowledgement
                          ? `${formatDateTime(entry.acknowledgement.acknowledgedAt)} via ${entry.acknowledgement.channel}${
                              entry.acknowledgement.version !== entry.version
                                ? ` (version ${entry.acknowledgement.version})`
                                : ""
                            }`
                          : "not yet"}
                      </td>
                    ) : null}
                  </tr>
                )),
              )}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
