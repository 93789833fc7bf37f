import type { LoaderFunctionArgs } from "@remix-run/node";
import { etagOf } from "~/core/public/http-cache";
import { cachedResponse } from "~/core/public/responses";

/**
 * The embeddable policy: `<script src="https://…/embed/policy.js" data-policy="privacy"></script>`
 * (optional `data-lang="de"`, `data-target="#css-selector"`). It fetches the JSON API from the
 * server it was loaded from and renders title, "Last updated" and body inside a shadow root, so the
 * host page's styles do not reach the policy and the policy's styles do not reach the host page.
 * Plain ES2017, no dependencies: it runs on any page.
 */
const SCRIPT = `(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var slug = script.getAttribute("data-policy") || "privacy";
  var lang = script.getAttribute("data-lang");
  var origin = new URL(script.src, document.baseURI).origin;
  var url = origin + "/api/v1/policies/" + encodeURIComponent(slug) + (lang ? "?lang=" + encodeURIComponent(lang) : "");

  var host = document.createElement("div");
  host.className = "redline-policy";
  host.setAttribute("data-policy", slug);
  var target = script.getAttribute("data-target");
  var container = target ? document.querySelector(target) : null;
  if (container) container.appendChild(host);
  else script.parentNode.insertBefore(host, script.nextSibling);

  var root = host.attachShadow({ mode: "open" });
  var style = document.createElement("style");
  style.textContent = ${JSON.stringify(embedStyles())};
  var frame = document.createElement("div");
  frame.className = "frame";
  frame.setAttribute("aria-busy", "true");
  frame.textContent = "Loading the policy…";
  root.appendChild(style);
  root.appendChild(frame);

  function formatDate(date, locale) {
    try {
      return new Intl.DateTimeFormat(locale, { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" })
        .format(new Date(date + "T00:00:00Z"));
    } catch (e) {
      return date;
    }
  }

  fetch(url, { mode: "cors", credentials: "omit" })
    .then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    })
    .then(function (policy) {
      frame.removeAttribute("aria-busy");
      frame.textContent = "";
      var article = document.createElement("article");
      article.setAttribute("lang", policy.locale);
      var title = document.createElement("h2");
      title.className = "title";
      title.textContent = policy.title;
      var updated = document.createElement("p");
      updated.className = "last-updated";
      var time = document.createElement("time");
      time.setAttribute("datetime", policy.lastUpdated);
      time.textContent = formatDate(policy.lastUpdated, policy.locale === "en" ? "en-GB" : policy.locale);
      updated.appendChild(document.createTextNode("Last updated: "));
      updated.appendChild(time);
      article.appendChild(title);
      article.appendChild(updated);
      if (policy.upcoming) {
        var banner = document.createElement("p");
        banner.className = "upcoming";
        var link = document.createElement("a");
        link.href = policy.upcoming.redline;
        link.textContent = "See what changes";
        banner.appendChild(document.createTextNode("Changes take effect on " +
          formatDate(policy.upcoming.effectiveAt, policy.locale === "en" ? "en-GB" : policy.locale) + ". "));
        banner.appendChild(link);
        article.appendChild(banner);
      }
      var body = document.createElement("div");
      body.className = "body";
      // Server-rendered policy HTML from our own API: escaped text, http(s)/mailto/relative links only.
      body.innerHTML = policy.html;
      article.appendChild(body);
      var source = document.createElement("p");
      source.className = "source";
      var all = document.createElement("a");
      all.href = policy.links.archive.replace("/api/v1", "");
      all.textContent = "All versions of this policy";
      source.appendChild(all);
      article.appendChild(source);
      frame.appendChild(article);
    })
    .catch(function () {
      frame.removeAttribute("aria-busy");
      frame.textContent = "";
      var fallback = document.createElement("a");
      fallback.href = origin + "/policies/" + encodeURIComponent(slug) + (lang ? "?lang=" + encodeURIComponent(lang) : "");
      fallback.textContent = "Read the policy";
      frame.appendChild(fallback);
    });
})();
`;

function embedStyles(): string {
  return [
    ":host { all: initial; display: block; contain: content; }",
    ".frame { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; font-size: 16px;",
    "  line-height: 1.6; color: #1b1f24; background: #fff; max-width: 42rem; }",
    ".title { font-size: 1.6em; line-height: 1.2; margin: 0 0 0.25em; color: inherit; }",
    ".last-updated { font-weight: 600; margin: 0 0 1em; }",
    ".upcoming { background: #fff8e1; border-left: 4px solid #c98a00; padding: 0.5em 0.75em; }",
    "a { color: #8a1c1c; }",
    ".body h2 { font-size: 1.25em; margin: 1.5em 0 0.5em; }",
    ".body h3 { font-size: 1.05em; margin: 1.25em 0 0.25em; }",
    ".body table { border-collapse: collapse; display: block; overflow-x: auto; }",
    ".body th, .body td { border: 1px solid #d0d7de; padding: 0.3em 0.5em; text-align: left; vertical-align: top; }",
    ".body th p, .body td p, .body li p { margin: 0; }",
    ".source { font-size: 0.875em; margin-top: 2em; }",
  ].join("\n");
}

const ETAG = etagOf(["embed", SCRIPT]);

/** GET /embed/policy.js — the script, cached for an hour (its URL does not change between releases). */
export async function loader({ request }: LoaderFunctionArgs) {
  return cachedResponse(request, { etag: ETAG, cacheControl: "public, max-age=3600" }, () => SCRIPT, {
    contentType: "text/javascript; charset=utf-8",
    headers: { "Access-Control-Allow-Origin": "*", "X-Content-Type-Options": "nosniff" },
  });
}
