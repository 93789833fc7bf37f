/**
 * The one place stored policy HTML enters the page. That HTML is rendered on the server by our own
 * renderer from schema-checked Tiptap JSON: text is escaped and links are http(s), mailto or
 * relative only (see app/core/document), so it is trusted markup, not user input.
 */
export function PolicyHtml({ html, className }: { html: string; className?: string }) {
  // biome-ignore lint/security/noDangerouslySetInnerHtml: trusted server-rendered policy markup, see above
  return <article className={className} dangerouslySetInnerHTML={{ __html: html }} />;
}
