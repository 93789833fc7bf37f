/**
 * What an error page tells the reader after an unexpected error. It does not say "the error was
 * logged": errors on the server are (entry.server.tsx's handleError, with the request id), but an
 * error while rendering in the browser never reaches the server, and both end on the same page.
 */
export const UNEXPECTED_ERROR_ADVICE =
  "Please try again in a moment. If it keeps happening, tell whoever runs Redline what you were doing and when: errors on the server are logged with their time.";
