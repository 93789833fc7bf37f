import type { AnyExtension } from "@tiptap/core";
import { Link } from "@tiptap/extension-link";
import { Table, TableCell, TableHeader, TableRow } from "@tiptap/extension-table";
import StarterKit from "@tiptap/starter-kit";

/** Link protocols a policy may point to. Everything else (javascript:, data:, vbscript:, file: …) is dropped. */
export const ALLOWED_LINK_PROTOCOLS = ["http", "https", "mailto"] as const;

/**
 * Whether a link target is safe to keep: relative links (`/policies/cookies`, `#contact`) and
 * absolute ones with an allowed protocol.
 * @example isSafeHref("https://example.com") // true
 * @example isSafeHref("java\tscript:alert(1)") // false
 */
export function isSafeHref(href: unknown): href is string {
  if (typeof href !== "string") return false;
  const compact = withoutControlCharacters(href);
  if (compact === "") return false;
  // Judge the percent-decoded form too ("java%09script:"): a browser treats it as a relative
  // path, but a later consumer of the stored JSON might decode it first.
  let decoded = compact;
  try {
    decoded = withoutControlCharacters(decodeURIComponent(compact));
  } catch {
    // Malformed escapes decode to nothing dangerous; judge the text as written.
  }
  return [compact, decoded].every((candidate) => {
    const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(candidate);
    return !scheme || (ALLOWED_LINK_PROTOCOLS as readonly string[]).includes(scheme[1].toLowerCase());
  });
}

/**
 * Browsers ignore control characters and whitespace inside a scheme ("java\tscript:"), so the
 * check must too.
 */
function withoutControlCharacters(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
  return text.replace(/[\u0000-\u0020\u007f-\u009f]/g, "");
}

/** The `rel` every link in a policy carries, whatever the source said. */
const POLICY_LINK_REL = "noopener noreferrer nofollow";

/**
 * Links keep their target and nothing else: `target`, `rel`, `class`, `title` and any other
 * attribute of a pasted or imported link are dropped, and every link is rendered with
 * POLICY_LINK_REL and no `target`, in the editor and on the public page alike.
 */
const PolicyLink = Link.extend({
  addAttributes() {
    return {
      href: {
        default: null,
        parseHTML: (element: HTMLElement) => element.getAttribute("href"),
      },
    };
  },
  renderHTML({ HTMLAttributes }) {
    const href = isSafeHref(HTMLAttributes.href) ? HTMLAttributes.href : "";
    return ["a", { href, rel: POLICY_LINK_REL }, 0];
  },
}).configure({
  openOnClick: false,
  autolink: true,
  defaultProtocol: "https",
  isAllowedUri: (url) => isSafeHref(url),
  HTMLAttributes: {},
});

/**
 * The one extension list shared by the browser editor, the importer and the server renderer,
 * so that what the legal team edits is exactly what the public page shows.
 */
export const policyExtensions: AnyExtension[] = [
  StarterKit.configure({ heading: { levels: [1, 2, 3, 4, 5, 6] }, link: false }),
  PolicyLink,
  Table.configure({ resizable: false }),
  TableRow,
  TableHeader,
  TableCell,
];
