export { headingAnchor, uniqueAnchors } from "./anchors";
export { ALLOWED_LINK_PROTOCOLS, isSafeHref, policyExtensions } from "./extensions";
export type { LeftOut, LeftOutKind } from "./html-source";
export {
  detectFormat,
  MAX_NESTING_DEPTH,
  MAX_SOURCE_BYTES,
  type ParsedPolicy,
  PolicyImportError,
  parsePolicy,
  policySchema,
  validatePolicyContent,
} from "./import";
export { describeLeftOut } from "./import-report";
export { contentHash, policyOutline, policyText, renderPolicy } from "./render";
export type { OutlineEntry, PolicyContent, RenderedPolicy, SourceFormat } from "./types";
