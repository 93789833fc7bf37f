/** Raised when input cannot become a policy; the message names what is wrong and where. */
export class PolicyImportError extends Error {
  override name = "PolicyImportError";
}
