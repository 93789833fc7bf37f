import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { documentFromParams } from "~/auth/params.server";
import { requireUser } from "~/auth/session.server";
import { Notice, PageHeader, PrintButton, StateBadge } from "~/components/admin-ui";
import { MaterialitySuggestion } from "~/components/admin-ui/materiality";
import { RedlineHtml } from "~/components/admin-ui/redline";
import { parsePositiveInteger } from "~/core/identifiers";
import { countOf, WORDS } from "~/core/plural";
import { sameVersionRefusal } from "~/core/public/params";
import { refusedAsPage } from "~/http/refusals.server";
import { compareVersions } from "~/models/review.server";
import { getVersion } from "~/models/versions.server";

export const meta: MetaFunction = () => [{ title: "Compare versions · Redline" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireUser(request, { role: "viewer" });
  const document = await documentFromParams(params);
  const url = new URL(request.url);
  const from = parsePositiveInteger(url.searchParams.get("from"));
  const to = parsePositiveInteger(url.searchParams.get("to"));
  // Without both versions this is a page that says where to choose them, inside the workspace.
  if (!from || !to) return { choose: true as const, document: { id: document.id, title: document.title } };
  if (from === to) throw new Response(sameVersionRefusal(from), { status: 400 });
  const [older, newer] = await Promise.all([
    getVersion({ documentId: document.id, number: from }),
    getVersion({ documentId: document.id, number: to }),
  ]);
  if (!older || !newer) throw new Response("There is no such version.", { status: 404 });
  const { diff, html, changesHtml } = await refusedAsPage(compareVersions(older, newer));
  return {
    choose: false as const,
    document: { id: document.id, title: document.title },
    from: { number: older.number, state: older.state },
    to: { number: newer.number, state: newer.state },
    html,
    changesHtml,
    stats: diff.stats,
    material: diff.material,
  };
}

export default function Compare() {
  const data = useLoaderData<typeof loader>();
  if (data.choose) return <ChooseVersions document={data.document} />;
  const { document, from, to, html, changesHtml, stats, material } = data;
  return (
    <>
      <PageHeader title={`Compare: ${document.title}`}>
        <PrintButton />
        <a
          href={`/admin/documents/${document.id}/compare/pdf?from=${from.number}&to=${to.number}`}
          className="button"
          download
        >
          Download PDF
        </a>
        <Link to={`/admin/documents/${document.id}/history`} className="button">
          Back to the history
        </Link>
      </PageHeader>
      <p>
        From version {from.number} <StateBadge state={from.state} /> to version {to.number}{" "}
        <StateBadge state={to.state} />: {countOf(stats.wordsAdded, WORDS)} added, {stats.wordsRemoved}{" "}
        removed.
      </p>
      <div className="review-layout">
        <RedlineHtml
          html={html}
          changesHtml={changesHtml}
          label={`Redline from version ${from.number} to ${to.number}`}
        />
        <aside className="review-side">
          <MaterialitySuggestion material={material} />
        </aside>
      </div>
    </>
  );
}

function ChooseVersions({ document }: { document: { id: number; title: string } }) {
  return (
    <>
      <PageHeader title={`Compare: ${document.title}`} />
      <Notice kind="info">
        Choose two versions to compare: in the history, pick "From version" and "To version", then press
        "Compare".
      </Notice>
      <p>
        <Link to={`/admin/documents/${document.id}/history`} className="button-primary">
          Choose versions in the history
        </Link>
      </p>
    </>
  );
}
