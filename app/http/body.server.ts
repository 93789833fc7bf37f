/**
 * Request bodies, read with a byte budget (ADR 13). Every route that reads a body goes through this
 * module: it counts the bytes as they arrive and stops at the route's limit whatever the headers say
 * (a chunked request has no Content-Length, and a declared one is only a claim), then parses form,
 * JSON or text from the bounded bytes. Refusals are `BodyError`s with a 4xx status and a message
 * naming the limit or the fault; each caller turns them into its own kind of answer.
 */

const KB = 1024;
const MB = 1024 * KB;

/** The most each kind of request may send, in bytes. */
export const BODY_LIMITS = {
  /** The sign-in form, the only form anybody may send without a session. */
  signIn: 32 * KB,
  /** Every other workspace form: publish, review, users, keys, banner, account, sign-out … */
  form: 256 * KB,
  /** The editor's autosave: a document of at most 2 MB plus the form's other fields. */
  draft: 2 * MB + 64 * KB,
  /** PUT /api/v1/subscribers/:externalId. */
  subscriber: 16 * KB,
  /** POST …/notices/:noticeId/ack, from the backend API and from the dashboard banner. */
  acknowledgement: 1 * KB,
  /** The public subscription forms: subscribe, confirm, unsubscribe (RFC 8058's one-click post). */
  publicSubscription: 4 * KB,
  /** Resend's delivery events (POST /api/v1/webhooks/resend). */
  webhook: 256 * KB,
  /**
   * A subscribers CSV uploaded in the workspace (POST /admin/imports/subscribers), streamed, never
   * held whole: 64 MB is about 600,000 rows of four columns. Larger files go through the CLI.
   */
  subscriberCsv: 64 * MB,
} as const;

/** Forms carry a dozen fields at most; more is not a form a person filled in. */
export const MAX_FORM_FIELDS = 100;
/** JSON bodies are shallow records; deeper nesting only serves to make later code recurse. */
export const MAX_JSON_DEPTH = 32;

/** A refused body. `status` is 400 (malformed), 413 (too large) or 415 (wrong content type). */
export class BodyError extends Error {
  override name = "BodyError";
  constructor(
    message: string,
    readonly status: 400 | 413 | 415,
  ) {
    super(message);
  }
}

/** "16 KB", "2 MB", "2.1 MB": a limit as people read it (1 KB = 1024 bytes). */
export function describeBytes(bytes: number): string {
  if (bytes >= MB) return `${bytes % MB === 0 ? bytes / MB : (bytes / MB).toFixed(1)} MB`;
  if (bytes >= KB) return `${bytes % KB === 0 ? bytes / KB : (bytes / KB).toFixed(1)} KB`;
  return `${bytes} bytes`;
}

function tooLarge(limit: number): BodyError {
  return new BodyError(`the request body is larger than ${describeBytes(limit)}, the limit here`, 413);
}

/** How much of a refused body is still taken in (and thrown away) so the client sees the answer. */
export const DISCARD = { bytes: 8 * MB, ms: 5_000 } as const;

/**
 * The rest of a refused body is read and thrown away — nothing is kept — for at most DISCARD.bytes
 * and DISCARD.ms, then simply no longer read: the client's sends stall on TCP's window. The
 * connection is never cancelled from here, because the answer (the 413 saying what the limit is)
 * may not have been written yet, and a reset loses it; once the answer has gone, the server's
 * guard (`discardUnreadBodies`, server/request-guards.ts) takes the rest of the body off the
 * connection or ends it.
 */
function discardRest(reader: ReadableStreamDefaultReader<Uint8Array>): void {
  let stopped = false;
  const timer = setTimeout(() => {
    stopped = true;
  }, DISCARD.ms);
  timer.unref?.();
  void (async () => {
    let discarded = 0;
    try {
      while (!stopped && discarded <= DISCARD.bytes) {
        const { done, value } = await reader.read();
        if (done) break;
        discarded += value.byteLength;
      }
    } catch {
      // The client went away: nothing left to discard.
    } finally {
      clearTimeout(timer);
    }
  })();
}

/** Refuses a body without reading it: its bytes are discarded as above. */
function refuseUnread(request: Request, error: BodyError): BodyError {
  if (request.body && !request.body.locked) discardRest(request.body.getReader());
  return error;
}

/** The media type of the request, lowercased, without parameters; null without a Content-Type. */
function mediaType(request: Request): string | null {
  const header = request.headers.get("content-type");
  if (header === null) return null;
  return header.split(";")[0].trim().toLowerCase() || null;
}

function contentTypeParameter(request: Request, name: string): string | null {
  const header = request.headers.get("content-type") ?? "";
  for (const part of header.split(";").slice(1)) {
    const index = part.indexOf("=");
    if (index < 0) continue;
    if (part.slice(0, index).trim().toLowerCase() === name)
      return part
        .slice(index + 1)
        .trim()
        .replace(/^"(.*)"$/, "$1")
        .toLowerCase();
  }
  return null;
}

/**
 * Reads the whole body, at most `limit` bytes. A declared Content-Length over the limit is refused
 * before reading anything; otherwise the bytes are counted as they stream and reading stops at the
 * first byte over the limit.
 */
export async function readBody(request: Request, limit: number): Promise<Uint8Array<ArrayBuffer>> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) throw refuseUnread(request, tooLarge(limit));
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch {
      // The client went away or sent a broken chunked encoding.
      throw new BodyError("the request body could not be read to its end", 400);
    }
    if (chunk.done) break;
    size += chunk.value.byteLength;
    if (size > limit) {
      // Stop here: nothing more is kept, whatever follows.
      discardRest(reader);
      throw tooLarge(limit);
    }
    chunks.push(chunk.value);
  }
  return Buffer.concat(chunks);
}

/**
 * The body as it arrives, chunk by chunk, for a route that parses as it reads (the CSV upload):
 * nothing is held whole. A declared Content-Length over the limit is refused before reading; past
 * the limit the iteration throws a 413 BodyError (what was yielded before stays yielded).
 */
export async function* streamBody(request: Request, limit: number): AsyncGenerator<Uint8Array> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) throw refuseUnread(request, tooLarge(limit));
  if (!request.body) return;
  const reader = request.body.getReader();
  let size = 0;
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch {
      throw new BodyError("the request body could not be read to its end", 400);
    }
    if (chunk.done) return;
    size += chunk.value.byteLength;
    if (size > limit) {
      discardRest(reader);
      throw tooLarge(limit);
    }
    yield chunk.value;
  }
}

/** Refuses a body whose media type is not one of `types` (415), without reading it. */
export function requireMediaType(request: Request, types: readonly string[], what: string): void {
  const type = mediaType(request);
  if (type !== null && types.includes(type)) return;
  throw refuseUnread(request, new BodyError(`send ${what}${type ? `, not ${type}` : ""}`, 415));
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new BodyError("the request body is not valid UTF-8", 400);
  }
}

/** The body as text, exactly as sent (a byte-order mark is kept), refusing bytes that are not UTF-8. */
export async function readTextBody(request: Request, limit: number): Promise<string> {
  return decodeUtf8(await readBody(request, limit));
}

/** A field name as it may appear in a message: quoted, escaped, shortened. */
function quoted(name: string): string {
  return JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}…` : name);
}

/**
 * Parses JSON text, refusing what JSON.parse would accept but nobody means: nesting deeper than
 * MAX_JSON_DEPTH, a key repeated in one object (JSON.parse would silently keep the last one) and
 * the key `__proto__`.
 */
export function parseJsonText(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BodyError("the request body is not valid JSON", 400);
  }
  checkJsonShape(text);
  return value;
}

/** One pass over JSON text already known to be valid: depth and repeated keys. */
function checkJsonShape(text: string): void {
  const stack: { keys: Set<string> | null; expectKey: boolean }[] = [];
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x22) {
      let end = i + 1;
      while (text.charCodeAt(end) !== 0x22) end += text.charCodeAt(end) === 0x5c ? 2 : 1;
      const top = stack.at(-1);
      if (top?.keys && top.expectKey) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (top.keys.has(key)) throw new BodyError(`the JSON body repeats the key ${quoted(key)}`, 400);
        // Copied into a new object (as validation does), this key would set its prototype instead.
        if (key === "__proto__") throw new BodyError('the JSON body uses the reserved key "__proto__"', 400);
        top.keys.add(key);
        top.expectKey = false;
      }
      i = end;
    } else if (code === 0x7b || code === 0x5b) {
      stack.push({ keys: code === 0x7b ? new Set() : null, expectKey: code === 0x7b });
      if (stack.length > MAX_JSON_DEPTH) {
        throw new BodyError(`the JSON body is nested more than ${MAX_JSON_DEPTH} levels deep`, 400);
      }
    } else if (code === 0x7d || code === 0x5d) {
      stack.pop();
    } else if (code === 0x2c) {
      const top = stack.at(-1);
      if (top?.keys) top.expectKey = true;
    }
  }
}

function isJsonType(type: string): boolean {
  return type === "application/json" || (type.startsWith("application/") && type.endsWith("+json"));
}

/**
 * A JSON body of at most `limit` bytes, sent as `Content-Type: application/json` in UTF-8.
 * With `optional`, an empty body (no bytes, or only white space) is `undefined`.
 */
export async function readJsonBody(
  request: Request,
  limit: number,
  { optional = false }: { optional?: boolean } = {},
): Promise<unknown> {
  const type = mediaType(request);
  const wrongType = () =>
    new BodyError(
      `send the body as JSON with Content-Type: application/json${type ? `, not ${type}` : ""}`,
      415,
    );
  if (type !== null && !isJsonType(type)) {
    throw refuseUnread(request, wrongType());
  }
  const charset = contentTypeParameter(request, "charset");
  if (charset !== null && charset !== "utf-8" && charset !== "utf8") {
    throw refuseUnread(request, new BodyError(`send JSON in UTF-8, not ${charset}`, 415));
  }
  const text = await readTextBody(request, limit);
  if (text.trim() === "") {
    if (optional) return undefined;
    throw new BodyError("the request body is empty: send a JSON object", 400);
  }
  if (type === null) throw wrongType();
  return parseJsonText(text);
}

const FORM_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data"];

/**
 * A form body of at most `limit` bytes, URL-encoded or multipart, as FormData with text fields
 * only. Refused: another content type (415); bytes or percent-escapes that are not UTF-8, a broken
 * multipart body, a file, a field sent twice, more than MAX_FORM_FIELDS fields (400).
 */
export async function readFormBody(request: Request, limit: number): Promise<FormData> {
  const type = mediaType(request);
  if (type === null || !FORM_TYPES.includes(type)) {
    throw refuseUnread(
      request,
      new BodyError(
        `send the form as application/x-www-form-urlencoded or multipart/form-data${type ? `, not ${type}` : ""}`,
        415,
      ),
    );
  }
  const bytes = await readBody(request, limit);
  const text = decodeUtf8(bytes);
  const entries: [string, FormDataEntryValue][] =
    type === "multipart/form-data" ? [...(await parseMultipart(request, bytes))] : parseUrlEncoded(text);
  if (entries.length > MAX_FORM_FIELDS) {
    throw new BodyError(`the form has more than ${MAX_FORM_FIELDS} fields`, 400);
  }
  const form = new FormData();
  for (const [name, value] of entries) {
    if (typeof value !== "string")
      throw new BodyError(`this form takes no files (field ${quoted(name)})`, 400);
    if (form.has(name)) throw new BodyError(`the field ${quoted(name)} was sent more than once`, 400);
    form.append(name, value);
  }
  return form;
}

function parseUrlEncoded(text: string): [string, string][] {
  const entries: [string, string][] = [];
  for (const pair of text.split("&")) {
    if (pair === "") continue;
    const index = pair.indexOf("=");
    const name = index < 0 ? pair : pair.slice(0, index);
    const value = index < 0 ? "" : pair.slice(index + 1);
    entries.push([decodeFormComponent(name), decodeFormComponent(value)]);
    if (entries.length > MAX_FORM_FIELDS) break;
  }
  return entries;
}

function decodeFormComponent(text: string): string {
  try {
    // decodeURIComponent refuses a stray "%" and escapes that are not UTF-8, as it should here.
    return decodeURIComponent(text.replaceAll("+", " "));
  } catch {
    throw new BodyError("the form is not properly URL-encoded UTF-8", 400);
  }
}

async function parseMultipart(request: Request, bytes: Uint8Array<ArrayBuffer>): Promise<FormData> {
  const contentType = request.headers.get("content-type") ?? "";
  try {
    return await new Response(bytes, { headers: { "content-type": contentType } }).formData();
  } catch {
    throw new BodyError("the multipart form is malformed (check its boundary)", 400);
  }
}
