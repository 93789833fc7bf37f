/**
 * The embeddable policy, served as /embed/policy.js:
 * `<script src="https://…/embed/policy.js" data-policy="privacy"></script>` (optional
 * `data-lang="de"`, `data-target="#css-selector"`). It fetches the JSON API from the server it was
 * loaded from and renders title, "Last updated" and body inside a shadow root, so the host page's
 * styles do not reach the policy and the policy's styles do not reach the host page. No
 * dependencies; bundled to an ES2017 IIFE by scripts/build.mjs, so it runs on any page.
 */
// The same words for a date as the public page prints.
import { formatLongDate } from "../core/dates";

/** The parts of GET /api/v1/policies/:slug this script reads. */
type PolicyAnswer = {
  locale: string;
  title: string;
  lastUpdated: string;
  html: string;
  upcoming: { effectiveAt: string; redline: string } | null;
  links: { archive: string };
};

const STYLES = [
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

function render(script: HTMLScriptElement): void {
  const slug = script.getAttribute("data-policy") || "privacy";
  const lang = script.getAttribute("data-lang");
  // Everything is fetched from the server that served this script, whatever page embeds it.
  const origin = new URL(script.src, document.baseURI).origin;
  const query = lang ? `?lang=${encodeURIComponent(lang)}` : "";
  const url = `${origin}/api/v1/policies/${encodeURIComponent(slug)}${query}`;

  const host = document.createElement("div");
  host.className = "redline-policy";
  host.setAttribute("data-policy", slug);
  const target = script.getAttribute("data-target");
  const container = target ? document.querySelector(target) : null;
  if (container) container.appendChild(host);
  else script.parentNode!.insertBefore(host, script.nextSibling);

  const root = host.attachShadow({ mode: "open" });
  const style = document.createElement("style");
  style.textContent = STYLES;
  const frame = document.createElement("div");
  frame.className = "frame";
  frame.setAttribute("aria-busy", "true");
  frame.textContent = "Loading the policy…";
  root.appendChild(style);
  root.appendChild(frame);

  fetch(url, { mode: "cors", credentials: "omit" })
    .then((response) => {
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return response.json() as Promise<PolicyAnswer>;
    })
    .then((policy) => {
      frame.removeAttribute("aria-busy");
      frame.textContent = "";
      const article = document.createElement("article");
      article.setAttribute("lang", policy.locale);
      const title = document.createElement("h2");
      title.className = "title";
      title.textContent = policy.title;
      const updated = document.createElement("p");
      updated.className = "last-updated";
      const time = document.createElement("time");
      time.setAttribute("datetime", policy.lastUpdated);
      time.textContent = formatLongDate(policy.lastUpdated, policy.locale);
      updated.appendChild(document.createTextNode("Last updated: "));
      updated.appendChild(time);
      article.appendChild(title);
      article.appendChild(updated);
      if (policy.upcoming) {
        const banner = document.createElement("p");
        banner.className = "upcoming";
        const link = document.createElement("a");
        link.href = policy.upcoming.redline;
        link.textContent = "See what changes";
        banner.appendChild(
          document.createTextNode(
            `Changes take effect on ${formatLongDate(policy.upcoming.effectiveAt, policy.locale)}. `,
          ),
        );
        banner.appendChild(link);
        article.appendChild(banner);
      }
      const body = document.createElement("div");
      body.className = "body";
      // Server-rendered policy HTML from our own API: escaped text, http(s)/mailto/relative links only.
      body.innerHTML = policy.html;
      article.appendChild(body);
      const source = document.createElement("p");
      source.className = "source";
      const all = document.createElement("a");
      all.href = policy.links.archive.replace("/api/v1", "");
      all.textContent = "All versions of this policy";
      source.appendChild(all);
      article.appendChild(source);
      frame.appendChild(article);
    })
    .catch(() => {
      frame.removeAttribute("aria-busy");
      frame.textContent = "";
      const fallback = document.createElement("a");
      fallback.href = `${origin}/policies/${encodeURIComponent(slug)}${query}`;
      fallback.textContent = "Read the policy";
      frame.appendChild(fallback);
    });
}

// Only while this script first runs does the page say which <script> element it came from.
const current = document.currentScript;
if (current instanceof HTMLScriptElement) render(current);
