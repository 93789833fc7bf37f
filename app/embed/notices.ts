/**
 * The dashboard banner, served as /embed/notices.js:
 * `<script src="https://…/embed/notices.js" data-token="USER_TOKEN"></script>` on a page of the
 * product, or `Redline.notices({ token, target })` once the script is loaded. It asks
 * /api/v1/embed/notices (user token in the Authorization header, never a cookie or the API key) and
 * shows the pending notices inside a shadow root: "What changed" opens the redline, "I acknowledge" (or "Dismiss")
 * acknowledges and removes the notice. Native buttons and links, focus moved sensibly, a polite
 * live region. A missing, expired or forged token shows nothing at all. No dependencies; bundled to
 * an ES2017 IIFE by scripts/build.mjs.
 */
import { formatLongDate } from "../core/dates";

/** A notice as GET /api/v1/embed/notices lists it (the parts shown here). */
type Notice = {
  id: number;
  title: string;
  summary: string | null;
  effectiveAt: string;
  links?: { redline?: string | null; policy?: string | null };
  requiresAck?: boolean;
  /** The words in the reader's language, formatted by the server (absent from older servers). */
  language?: string;
  text?: Partial<Record<TextKey, string | null>>;
};

/** Whose notices these are (absent from older servers; null before a branding is saved). */
type Organisation = { name: string; accentColour: string };

type TextKey =
  | "region"
  | "heading"
  | "effective"
  | "whatChanged"
  | "readPolicy"
  | "button"
  | "thanks"
  | "retry"
  | "untranslated";

/** A label from the server, else the English one. */
function word(notice: Notice, key: TextKey, fallback: string): string {
  const value = notice.text?.[key];
  return typeof value === "string" && value ? value : fallback;
}

type ShowOptions = {
  token?: string | null;
  /** The Redline server; by default the one this script was loaded from. */
  origin?: string;
  /** Where the banner goes: an element or a CSS selector; by default after `anchor`, else atop the body. */
  target?: Element | string | null;
  anchor?: Element;
};

declare global {
  interface Window {
    Redline?: { notices?: (options: ShowOptions) => Promise<number> };
  }
}

const STYLES = [
  ":host { all: initial; display: block; contain: content; }",
  ".banner { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; font-size: 15px;",
  "  line-height: 1.5; color: #1b1f24; }",
  ".notice { background: #fff8e1; border: 1px solid #e3c46b; border-left: 4px solid var(--accent, #c98a00);",
  "  border-radius: 4px; padding: 0.75em 1em; margin: 0 0 0.5em; }",
  ".title { font-size: 1.05em; margin: 0 0 0.25em; color: inherit; }",
  ".title:focus { outline: 2px solid #1b1f24; outline-offset: 2px; }",
  ".summary, .dates, .untranslated { margin: 0 0 0.5em; }",
  ".untranslated { font-style: italic; font-size: 0.9em; }",
  ".actions { display: flex; gap: 1em; align-items: center; flex-wrap: wrap; }",
  ".what { color: var(--accent, #8a1c1c); }",
  ".organisation { font-size: 0.85em; font-weight: 600; margin: 0 0 0.25em; color: var(--accent, #1b1f24); }",
  ".got-it { font: inherit; background: var(--accent, #1b1f24); color: #fff; border: 0; border-radius: 4px;",
  "  padding: 0.35em 1em; cursor: pointer; }",
  ".got-it:disabled { opacity: 0.6; cursor: progress; }",
  "a:focus-visible, button:focus-visible { outline: 2px solid #1b1f24; outline-offset: 2px; }",
  ".problem { color: #8a1c1c; margin: 0.5em 0 0; }",
  ".problem:empty { display: none; }",
  ".visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden;",
  "  clip: rect(0 0 0 0); white-space: nowrap; margin: -1px; }",
].join("\n");

// Only while this script first runs does the page say which <script> element it came from.
const current = document.currentScript instanceof HTMLScriptElement ? document.currentScript : null;
const scriptOrigin = current?.src ? new URL(current.src, document.baseURI).origin : null;

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Links come from the API, but a notice only ever links to a web page. */
function safeUrl(url: unknown): string | null {
  return typeof url === "string" && /^https?:\/\//.test(url) ? url : null;
}

/** Shows the pending notices; resolves to how many were shown (0 when none, or on any failure). */
function show(options: ShowOptions): Promise<number> {
  const token = options?.token;
  const base = options?.origin || scriptOrigin;
  if (!token || !base) return Promise.resolve(0);
  const host = el("div", "redline-notices");
  const target = typeof options.target === "string" ? document.querySelector(options.target) : options.target;
  if (target) target.appendChild(host);
  else if (options.anchor?.parentNode)
    options.anchor.parentNode.insertBefore(host, options.anchor.nextSibling);
  else document.body.insertBefore(host, document.body.firstChild);
  const root = host.attachShadow({ mode: "open" });
  const style = el("style");
  style.textContent = STYLES;
  root.appendChild(style);
  const live = el("p", "visually-hidden");
  live.setAttribute("role", "status");
  live.setAttribute("aria-live", "polite");
  root.appendChild(live);
  const auth = { Authorization: `Bearer ${token}` };

  return fetch(`${base}/api/v1/embed/notices`, { headers: auth, credentials: "omit", mode: "cors" })
    .then((response) => {
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return response.json() as Promise<{ notices?: Notice[]; organisation?: Organisation | null } | null>;
    })
    .then((body) => {
      const notices = body?.notices || [];
      if (notices.length === 0) {
        host.remove();
        return 0;
      }
      const banner = el("section", "banner");
      const organisation = body?.organisation;
      const name = organisation && typeof organisation.name === "string" ? organisation.name : "";
      const region = word(notices[0], "region", "Policy updates");
      banner.setAttribute("aria-label", name ? `${region}: ${name}` : region);
      // The organisation's colour (checked again here: the page's styles must not take anything else).
      if (organisation && /^#[0-9a-f]{6}$/i.test(organisation.accentColour)) {
        banner.style.setProperty("--accent", organisation.accentColour);
      }
      if (name) banner.appendChild(el("p", "organisation", name));
      for (const notice of notices) banner.appendChild(renderNotice(notice));
      root.appendChild(banner);
      // Shown is recorded apart from acknowledged; a failure here must not disturb the reader.
      for (const notice of notices) {
        fetch(`${base}/api/v1/embed/notices/${encodeURIComponent(notice.id)}/shown`, {
          method: "POST",
          headers: auth,
          credentials: "omit",
          mode: "cors",
        }).catch(() => undefined);
      }
      return notices.length;

      function renderNotice(notice: Notice): HTMLElement {
        const article = el("article", "notice");
        if (notice.language) article.lang = notice.language;
        article.setAttribute("data-notice", String(notice.id));
        const titleId = `redline-notice-${notice.id}`;
        article.setAttribute("aria-labelledby", titleId);
        const title = el("h2", "title", word(notice, "heading", `${notice.title} updated`));
        title.id = titleId;
        title.tabIndex = -1;
        article.appendChild(title);
        const untranslated = notice.text?.untranslated;
        if (untranslated) article.appendChild(el("p", "untranslated", untranslated));
        if (notice.summary) article.appendChild(el("p", "summary", notice.summary));
        article.appendChild(
          el(
            "p",
            "dates",
            word(notice, "effective", `Takes effect on ${formatLongDate(notice.effectiveAt)}.`),
          ),
        );
        const actions = el("div", "actions");
        const href = safeUrl(notice.links && (notice.links.redline || notice.links.policy));
        if (href) {
          const link = el(
            "a",
            "what",
            notice.links?.redline
              ? word(notice, "whatChanged", "What changed")
              : word(notice, "readPolicy", "Read the policy"),
          );
          link.href = href;
          link.target = "_blank";
          link.rel = "noopener";
          actions.appendChild(link);
        }
        const button = el(
          "button",
          "got-it",
          word(notice, "button", notice.requiresAck ? "I acknowledge" : "Dismiss"),
        );
        button.type = "button";
        const problem = el("p", "problem");
        problem.setAttribute("role", "alert");
        button.addEventListener("click", () => {
          button.disabled = true;
          problem.textContent = "";
          fetch(`${base}/api/v1/embed/notices/${encodeURIComponent(notice.id)}/ack`, {
            method: "POST",
            headers: auth,
            credentials: "omit",
            mode: "cors",
          })
            .then((response) => {
              if (!response.ok) throw new Error(`HTTP ${response.status}`);
              const next = article.nextElementSibling || article.previousElementSibling;
              article.remove();
              live.textContent = word(notice, "thanks", `Thank you. Noted: ${notice.title}.`);
              if (!banner.querySelector(".notice")) banner.remove();
              else if (next) next.querySelector<HTMLElement>(".title")!.focus();
            })
            .catch(() => {
              button.disabled = false;
              problem.textContent = word(notice, "retry", "That did not go through. Please try again.");
            });
        });
        actions.appendChild(button);
        article.appendChild(actions);
        article.appendChild(problem);
        return article;
      }
    })
    .catch(() => {
      // Expired or forged token, unknown origin, network trouble: stay silent.
      host.remove();
      return 0;
    });
}

// Kept beside whatever else a page put under window.Redline.
window.Redline = window.Redline || {};
window.Redline.notices = show;
if (current?.getAttribute("data-token")) {
  void show({
    token: current.getAttribute("data-token"),
    target: current.getAttribute("data-target"),
    anchor: current,
  });
}
