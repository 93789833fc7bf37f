export { headingAnchor, uniqueAnchors } from "./anchors";
export { ALLOWED_LINK_PROTOCOLS, isSafeHref, policyExtensions } from "./extensions";
export {
  detectFormat,
  dropUnsafeLinks,
  MAX_SOURCE_BYTES,
  type ParsedPolicy,
  PolicyImportError,
  parsePolicy,
  policySchema,
  validatePolicyContent,
} from "./import";
export { contentHash, policyOutline, policyText, renderPolicy } from "./render";
export type { OutlineEntry, PolicyContent, RenderedPolicy, SourceFormat } from "./types";
