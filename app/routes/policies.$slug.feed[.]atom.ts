import type { LoaderFunctionArgs } from "@remix-run/node";
import { Feed } from "feed";
import { formatLongDate } from "~/core/dates";
import { escapeHtml } from "~/core/diff/render-html";
import { summaryText } from "~/core/history/types";
import { AUDIT_HEAD_SCHEME } from "~/core/public/audit-head";
import { cachedResponse } from "~/core/public/responses";
import { policyPath } from "~/core/public/urls";
import { cacheHeaders, publicBaseUrl, readPolicyRequest } from "~/models/public-pages.server";

/** Atom feed of a policy's published versions, newest first, with summaries and the material flag. */
export async function loader({ params, request }: LoaderFunctionArgs) {
  const now = new Date();
  const found = await readPolicyRequest(params, request, now);
  if (!found) {
    return new Response("No such policy.\n", {
      status: 404,
      headers: { "Content-Type": "text/plain; charset=utf-8" },
    });
  }
  const { policy } = found;
  const cache = cacheHeaders("current", ["feed", policy], now);
  return cachedResponse(request, cache, () => atomFeed(found.policy), {
    contentType: "application/atom+xml; charset=utf-8",
    headers: { "Access-Control-Allow-Origin": "*" },
  });
}

function atomFeed(policy: NonNullable<Awaited<ReturnType<typeof readPolicyRequest>>>["policy"]): string {
  const base = publicBaseUrl();
  const { slug, locale, title } = policy.document;
  const newest = policy.versions[0];
  const feed = new Feed({
    id: base + policyPath(slug, locale),
    title: `${title}: versions`,
    description: `Every published version of the ${title}, with what changed.`,
    link: base + policyPath(slug, locale),
    language: locale,
    updated: new Date(newest.publishedAt),
    generator: "Redline",
    feedLinks: { atom: base + policyPath(slug, locale, "/feed.atom") },
    copyright: "",
  });
  for (const version of policy.versions) {
    const url = base + policyPath(slug, locale, `/versions/${version.number}`);
    const effective = `${version.status === "upcoming" ? "Takes effect" : "Effective"} ${formatLongDate(version.effectiveAt)}`;
    feed.addItem({
      id: url,
      link: url,
      title: `Version ${version.number}${version.material ? " (material change)" : ""}: last updated ${formatLongDate(version.lastUpdated)}`,
      date: new Date(version.publishedAt),
      published: new Date(version.publishedAt),
      // The summary is plain text everywhere. The feed library writes every entry summary as
      // type="html" (it has no option for "text"), so the text is escaped into HTML that shows it
      // as written: markup in a summary is printed, never rendered.
      description: escapeHtml([summaryText(version), `${effective}.`].join(" ")),
      category: [
        version.imported
          ? { term: "imported", name: "Imported from the earlier history; materiality not known" }
          : {
              term: version.material ? "material" : "non-material",
              name: version.material ? "Material change" : "Non-material change",
            },
        // The audit chain's head at publication, for anyone who keeps it (ADR 0011).
        ...(version.auditHead
          ? [{ term: version.auditHead, scheme: AUDIT_HEAD_SCHEME, name: "Audit chain head at publication" }]
          : []),
      ],
    });
  }
  return feed.atom1();
}
