import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { documentFromParams } from "~/auth/params.server";
import { requireUser } from "~/auth/session.server";
import { formatDateTime, Notice, PageHeader, VersionBadge } from "~/components/admin-ui";
import { formatLongDate } from "~/core/dates";
import { describeSource } from "~/core/history/types";
import { listVersionHistory } from "~/models/history.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `History of ${data.document.title} · Redline` : "History · Redline" },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireUser(request, { role: "viewer" });
  const document = await documentFromParams(params);
  const history = await listVersionHistory(document.id);
  return { document, history };
}

export default function History() {
  const { document, history } = useLoaderData<typeof loader>();
  const [search] = useSearchParams();
  const justPublished = search.get("published");
  const base = `/admin/documents/${document.id}`;
  const byId = new Map(history.map((v) => [v.id, v.number]));
  const numbers = history.map((v) => v.number);
  return (
    <>
      <PageHeader title={`History: ${document.title}`}>
        <Link to={base} className="button">
          Back to the document
        </Link>
      </PageHeader>
      {justPublished ? (
        <Notice kind="success">
          Version {justPublished} is published.{" "}
          <a href={`/policies/${document.slug}${document.locale === "en" ? "" : `?lang=${document.locale}`}`}>
            See the public page
          </a>
        </Notice>
      ) : null}
      {numbers.length >= 2 ? (
        <Form method="get" action={`${base}/compare`} className="form-row panel">
          <NumberSelect label="From version" name="from" selected={numbers[1]} numbers={numbers} />
          <NumberSelect label="To version" name="to" selected={numbers[0]} numbers={numbers} />
          <button type="submit" className="button">
            Compare
          </button>
        </Form>
      ) : null}
      <table className="table">
        <thead>
          <tr>
            <th>Version</th>
            <th>State</th>
            <th>Written by</th>
            <th>Approved by</th>
            <th>Last updated</th>
            <th>Effective</th>
            <th>Published</th>
            <th>Summary</th>
          </tr>
        </thead>
        <tbody>
          {history.map((v) => (
            <tr key={v.id}>
              <td>
                <Link to={`${base}/versions/${v.number}`}>Version {v.number}</Link>
                {v.basedOnVersionId ? (
                  <div className="muted small">
                    from version {byId.get(v.basedOnVersionId) ?? "of the original"}
                  </div>
                ) : null}
              </td>
              <td>
                <VersionBadge state={v.state} publicStatus={v.publicStatus} />
                {v.material ? <span className="badge badge-material">Material</span> : null}
                {v.imported ? (
                  <span className="badge" title="Imported from the earlier history: materiality not known">
                    Imported
                  </span>
                ) : null}
              </td>
              <td>
                {v.imported ? (
                  <span className="muted">imported from {describeSource(v.imported.source)}</span>
                ) : (
                  v.authorEmails.join(", ") || <span className="muted">command line</span>
                )}
              </td>
              <td>{v.approverEmail ?? <span className="muted">—</span>}</td>
              <td>{v.lastUpdated ? formatLongDate(v.lastUpdated) : "—"}</td>
              <td>{v.effectiveAt ? formatLongDate(v.effectiveAt) : "—"}</td>
              <td>
                {v.publishedAt ? (
                  <>
                    {formatDateTime(v.publishedAt)}
                    {v.publisherEmail ? <div className="muted small">by {v.publisherEmail}</div> : null}
                  </>
                ) : (
                  <span className="muted">created {formatDateTime(v.createdAt)}</span>
                )}
              </td>
              <td>
                {v.summary ?? ""}
                {v.imported?.advice ? (
                  <span className="muted small">
                    {v.imported.advice.suggested
                      ? `The engine suggested a material change (${v.imported.advice.reasons
                          .slice(0, 3)
                          .map((r) => r.detail)
                          .join(
                            "; ",
                          )}${v.imported.advice.reasons.length > 3 ? "; …" : ""}); advice only, nobody assessed it.`
                      : "The engine suggested no material change; advice only, nobody assessed it."}
                  </span>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function NumberSelect({
  label,
  name,
  selected,
  numbers,
}: {
  label: string;
  name: "from" | "to";
  selected: number;
  numbers: number[];
}) {
  return (
    <label>
      {label}
      <select name={name} defaultValue={selected}>
        {numbers.map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </select>
    </label>
  );
}
