import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { requireUser } from "~/auth/session.server";
import { formatDateTime, PageHeader } from "~/components/admin-ui";
import { parsePositiveInteger } from "~/core/identifiers";
import { ackOutcome, deliveryStatusText } from "~/core/notify/delivery-outcome";
import { isEmailProblem } from "~/core/notify/statuses";
import {
  ackFilterOf,
  acknowledgementRows,
  noticeAcknowledgementOverview,
} from "~/models/acknowledgements.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `Acknowledgements of notice #${data?.overview.noticeId ?? ""} · Redline` },
];

const PAGE = 100;

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireUser(request, { role: "viewer" });
  // A malformed id names no notice, like an id that does not exist.
  const noticeId = parsePositiveInteger(params.noticeId);
  const overview = noticeId === null ? null : await noticeAcknowledgementOverview(noticeId);
  if (!overview) throw new Response("No such notice.", { status: 404 });
  const url = new URL(request.url);
  const filter = ackFilterOf(url.searchParams.get("filter"));
  const rows = await acknowledgementRows({
    noticeId: overview.noticeId,
    filter,
    after: parsePositiveInteger(url.searchParams.get("after")) ?? 0,
    limit: PAGE + 1,
  });
  return {
    overview,
    filter,
    rows: rows.slice(0, PAGE),
    next: rows.length > PAGE ? rows[PAGE - 1].subscriberId : null,
  };
}

export default function NoticeAcknowledgements() {
  const { overview, filter, rows, next } = useLoaderData<typeof loader>();
  const csv = `/admin/acknowledgements/${overview.noticeId}/csv?filter=${filter}`;
  return (
    <>
      <PageHeader title={`Acknowledgements of notice #${overview.noticeId}`}>
        <Link to="/admin/acknowledgements">All notices</Link>
        <a href={csv} download>
          Download CSV
        </a>
      </PageHeader>
      <p>
        {overview.slug} ({overview.locale}) version {overview.version} · {overview.channels.join(" and ")}
        {overview.requiresAck ? " · acknowledgement required" : ""} ·{" "}
        <strong data-testid="acknowledged-count">
          {overview.acknowledged} of {overview.targeted}
        </strong>{" "}
        acknowledged · {overview.emailUndelivered} emails undelivered
      </p>
      <Form method="get" className="form-row">
        <label>
          Show
          <select name="filter" defaultValue={filter}>
            <option value="all">everyone</option>
            <option value="acknowledged">who has acknowledged</option>
            <option value="pending">who has not acknowledged</option>
          </select>
        </label>
        <button type="submit" className="button">
          Show
        </button>
      </Form>
      {rows.length === 0 ? (
        <p>Nobody here.</p>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>externalId</th>
              <th>Acknowledged</th>
              <th>Email</th>
              <th>Dashboard</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.subscriberId} data-subscriber={r.externalId}>
                <td>
                  <Link to={`/admin/subscribers/${encodeURIComponent(r.externalId)}`}>{r.externalId}</Link>
                  {r.subscriberStatus !== "active" ? (
                    <span className="muted"> ({r.subscriberStatus})</span>
                  ) : null}
                </td>
                <td>
                  {r.acknowledgedAt
                    ? `${ackOutcome(r) === "dismissed" ? "dismissed " : ""}${formatDateTime(r.acknowledgedAt)} via ${r.acknowledgedVia}${
                        r.acknowledgedVersion !== overview.version
                          ? ` (version ${r.acknowledgedVersion})`
                          : ""
                      }`
                    : "not yet"}
                </td>
                <td>
                  {r.emailStatus ? deliveryStatusText(r.emailStatus, r.emailTransport) : "—"}
                  {r.emailStatus && isEmailProblem(r.emailStatus) && !r.acknowledgedAt ? (
                    <>
                      {" "}
                      <span className="badge badge-material">dashboard only</span>
                    </>
                  ) : null}
                </td>
                <td>
                  {r.dashboardStatus === "delivered"
                    ? ackOutcome(r)
                    : r.shownAt
                      ? `shown ${formatDateTime(r.shownAt)}`
                      : (r.dashboardStatus ??
                        (r.emailStatus && isEmailProblem(r.emailStatus) ? "fallback" : "—"))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next ? (
        <p>
          <Link to={`?${new URLSearchParams({ filter, after: String(next) })}`}>Next page</Link>
        </p>
      ) : null}
    </>
  );
}
