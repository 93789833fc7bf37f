import { createHash } from "node:crypto";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { ifNoneMatchMatches } from "~/core/public/http-cache";

/**
 * The dashboard banner: `<script src="https://…/embed/notices.js" data-token="USER_TOKEN"></script>`
 * on a page of the product, or `Redline.notices({ token, target })` once the script is loaded. It
 * asks /api/v1/embed/notices (user token in the Authorization header, never a cookie or the API
 * key) and shows the pending notices inside a shadow root: "What changed" opens the redline,
 * "Got it" acknowledges and removes the notice. Native buttons and links, focus moved sensibly,
 * a polite live region. A missing, expired or forged token shows nothing at all. Plain ES2017,
 * no dependencies.
 */
const SCRIPT = `(function () {
  "use strict";
  var current = document.currentScript;
  var origin = current && current.src ? new URL(current.src, document.baseURI).origin : null;

  function formatDate(date) {
    try {
      return new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" })
        .format(new Date(date + "T00:00:00Z"));
    } catch (e) {
      return date;
    }
  }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function safeUrl(url) {
    return typeof url === "string" && /^https?:\\/\\//.test(url) ? url : null;
  }

  function show(options) {
    var token = options && options.token;
    var base = (options && options.origin) || origin;
    if (!token || !base) return Promise.resolve(0);
    var host = el("div", "redline-notices");
    var target = options.target;
    if (typeof target === "string") target = document.querySelector(target);
    if (target) target.appendChild(host);
    else if (options.anchor && options.anchor.parentNode) options.anchor.parentNode.insertBefore(host, options.anchor.nextSibling);
    else document.body.insertBefore(host, document.body.firstChild);
    var root = host.attachShadow({ mode: "open" });
    var style = el("style");
    style.textContent = ${JSON.stringify(bannerStyles())};
    root.appendChild(style);
    var live = el("p", "visually-hidden");
    live.setAttribute("role", "status");
    live.setAttribute("aria-live", "polite");
    root.appendChild(live);
    var auth = { Authorization: "Bearer " + token };

    return fetch(base + "/api/v1/embed/notices", { headers: auth, credentials: "omit", mode: "cors" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (body) {
        var notices = (body && body.notices) || [];
        if (notices.length === 0) {
          host.remove();
          return 0;
        }
        var banner = el("section", "banner");
        banner.setAttribute("aria-label", "Policy updates");
        notices.forEach(function (notice) {
          banner.appendChild(renderNotice(notice));
        });
        root.appendChild(banner);
        return notices.length;

        function renderNotice(notice) {
          var article = el("article", "notice");
          article.setAttribute("data-notice", String(notice.id));
          var titleId = "redline-notice-" + notice.id;
          article.setAttribute("aria-labelledby", titleId);
          var title = el("h2", "title", notice.title + " updated");
          title.id = titleId;
          title.tabIndex = -1;
          article.appendChild(title);
          if (notice.summary) article.appendChild(el("p", "summary", notice.summary));
          article.appendChild(el("p", "dates", "Takes effect on " + formatDate(notice.effectiveAt) + "."));
          var actions = el("div", "actions");
          var href = safeUrl(notice.links && (notice.links.redline || notice.links.policy));
          if (href) {
            var link = el("a", "what", notice.links.redline ? "What changed" : "Read the policy");
            link.href = href;
            link.target = "_blank";
            link.rel = "noopener";
            actions.appendChild(link);
          }
          var button = el("button", "got-it", "Got it");
          button.type = "button";
          var problem = el("p", "problem");
          problem.setAttribute("role", "alert");
          button.addEventListener("click", function () {
            button.disabled = true;
            problem.textContent = "";
            fetch(base + "/api/v1/embed/notices/" + encodeURIComponent(notice.id) + "/ack", {
              method: "POST", headers: auth, credentials: "omit", mode: "cors"
            })
              .then(function (response) {
                if (!response.ok) throw new Error("HTTP " + response.status);
                var next = article.nextElementSibling || article.previousElementSibling;
                article.remove();
                live.textContent = "Thank you. Noted: " + notice.title + ".";
                if (!banner.querySelector(".notice")) banner.remove();
                else if (next) next.querySelector(".title").focus();
              })
              .catch(function () {
                button.disabled = false;
                problem.textContent = "That did not go through. Please try again.";
              });
          });
          actions.appendChild(button);
          article.appendChild(actions);
          article.appendChild(problem);
          return article;
        }
      })
      .catch(function () {
        // Expired or forged token, unknown origin, network trouble: stay silent.
        host.remove();
        return 0;
      });
  }

  var api = (window.Redline = window.Redline || {});
  api.notices = show;
  if (current && current.getAttribute("data-token")) {
    show({ token: current.getAttribute("data-token"), target: current.getAttribute("data-target"), anchor: current });
  }
})();
`;

function bannerStyles(): string {
  return [
    ":host { all: initial; display: block; contain: content; }",
    ".banner { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; font-size: 15px;",
    "  line-height: 1.5; color: #1b1f24; }",
    ".notice { background: #fff8e1; border: 1px solid #e3c46b; border-left: 4px solid #c98a00;",
    "  border-radius: 4px; padding: 0.75em 1em; margin: 0 0 0.5em; }",
    ".title { font-size: 1.05em; margin: 0 0 0.25em; color: inherit; }",
    ".title:focus { outline: 2px solid #1b1f24; outline-offset: 2px; }",
    ".summary, .dates { margin: 0 0 0.5em; }",
    ".actions { display: flex; gap: 1em; align-items: center; flex-wrap: wrap; }",
    ".what { color: #8a1c1c; }",
    ".got-it { font: inherit; background: #1b1f24; color: #fff; border: 0; border-radius: 4px;",
    "  padding: 0.35em 1em; cursor: pointer; }",
    ".got-it:disabled { opacity: 0.6; cursor: progress; }",
    "a:focus-visible, button:focus-visible { outline: 2px solid #1b1f24; outline-offset: 2px; }",
    ".problem { color: #8a1c1c; margin: 0.5em 0 0; }",
    ".problem:empty { display: none; }",
    ".visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden;",
    "  clip: rect(0 0 0 0); white-space: nowrap; margin: -1px; }",
  ].join("\n");
}

/** Weak, like every public tag: the script is sent compressed or not (ADR 15). */
const ETAG = `W/"${createHash("sha256").update(SCRIPT).digest("base64url").slice(0, 16)}"`;

export async function loader({ request }: LoaderFunctionArgs) {
  const headers = {
    "content-type": "text/javascript; charset=utf-8",
    "cache-control": "public, max-age=300",
    etag: ETAG,
    "x-content-type-options": "nosniff",
    "access-control-allow-origin": "*",
  };
  if (ifNoneMatchMatches(request.headers.get("if-none-match"), ETAG))
    return new Response(null, { status: 304, headers });
  return new Response(SCRIPT, { status: 200, headers });
}
