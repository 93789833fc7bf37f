/**
 * A local Resend-compatible email API: `POST /emails` and `POST /emails/batch` with Resend's
 * request and response shapes, its Idempotency-Key rules, its 429 + retry-after above a rate, and
 * faults that can be injected (5xx, delays, hangs). Nothing is delivered: messages are captured
 * in memory and listed under `/_mail/…` for the admin, the tests and the benchmarks.
 *
 * `npm start` runs it on loopback when no provider is configured. On its own:
 * `redline mail-server [--port 3025] [--host 127.0.0.1] [--rate 2] [--keep 20000]`.
 */
import { createHash, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

type Fault =
  /** Answer with this status instead of processing the request. */
  | { kind: "status"; status: number; times?: number }
  /** Never answer and never process (the client's timeout must fire). */
  | { kind: "hang"; times?: number }
  /** Wait, then process and answer normally. */
  | { kind: "delay"; ms: number; times?: number }
  /** Process (the emails count as sent), then never answer. */
  | { kind: "accept-then-hang"; times?: number }
  /** Process, then answer only after a while. */
  | { kind: "accept-then-delay"; ms: number; times?: number };

/** Present on every answer of the capture server: mail accepted here is kept, never delivered. */
export const CAPTURE_HEADER = "x-redline-mail-capture";

export type CapturedMessage = {
  id: string;
  receivedAt: string;
  from: string;
  to: string[];
  subject: string;
  html: string | null;
  text: string | null;
  tags: { name: string; value: string }[];
  /** Custom headers as sent (Resend's `headers`), e.g. a test email's marker. */
  headers: Record<string, string>;
  idempotencyKey: string | null;
};

export type RequestRecord = {
  /** Arrival time, ms since epoch with sub-millisecond precision. */
  at: number;
  path: string;
  idempotencyKey: string | null;
  emails: number;
  status: number;
  outcome: "accepted" | "replayed" | "rate-limited" | "fault" | "conflict" | "rejected";
};

export type MailServerOptions = {
  host?: string;
  port?: number;
  /** Requests per second above which the server answers 429 (Resend's default is 2). null: no limit. */
  ratePerSecond?: number | null;
  /** When set, only this API key is accepted; otherwise any bearer key is. */
  apiKey?: string | null;
  /** Captured messages kept in memory (oldest dropped first); recipient counts are always kept. */
  maxMessages?: number;
  /** Entries of the request log kept in memory (oldest dropped first). */
  maxRequests?: number;
  /**
   * Idempotency keys remembered (oldest forgotten first). Each holds the answer it replays, so the
   * default (10,000 batches: a million emails) stays within tens of megabytes.
   */
  maxIdempotencyKeys?: number;
  /** Resend keeps idempotency keys for 24 hours; older ones are forgotten. */
  idempotencyTtlMs?: number;
};

export type MailServer = {
  url: string;
  close: () => Promise<void>;
  messages: () => CapturedMessage[];
  requests: () => RequestRecord[];
  /** How many emails each address received (replays do not count). */
  recipientCounts: () => Map<string, number>;
  /** How many idempotency keys are remembered now. */
  idempotencyKeys: () => number;
  injectFaults: (...faults: Fault[]) => void;
  setRate: (ratePerSecond: number | null) => void;
  reset: () => void;
};

const MAX_BODY_BYTES = 40 * 1024 * 1024;
const MAX_BATCH = 100;
const MAX_RECIPIENTS = 50;
// The domain as dot-separated labels: "[^…]+\.[^…]+" with dots allowed on both sides backtracks quadratically.
const ADDRESS = /^(?:[^<>]*<)?[^\s@<>]+@[^\s@<>.]+(?:\.[^\s@<>.]+)+>?$/;

type IdempotencyEntry = {
  hash: string;
  state: "in-progress" | "done";
  status: number;
  body: string;
  at: number;
};
type Email = {
  from?: unknown;
  to?: unknown;
  subject?: unknown;
  html?: unknown;
  text?: unknown;
  tags?: unknown;
  headers?: unknown;
};

const errorBody = (statusCode: number, name: string, message: string) =>
  JSON.stringify({ statusCode, name, message });

function validateEmail(email: Email, where: string): string | null {
  if (typeof email !== "object" || email === null || Array.isArray(email))
    return `${where} must be an object`;
  if (typeof email.from !== "string" || !ADDRESS.test(email.from)) return `${where}: Invalid \`from\` field`;
  const to = Array.isArray(email.to) ? email.to : [email.to];
  if (to.length === 0 || to.length > MAX_RECIPIENTS)
    return `${where}: \`to\` needs 1 to ${MAX_RECIPIENTS} recipients`;
  for (const address of to) {
    if (typeof address !== "string" || !ADDRESS.test(address)) return `${where}: Invalid \`to\` field`;
  }
  if (typeof email.subject !== "string" || email.subject.length === 0)
    return `${where}: Missing \`subject\` field`;
  if (typeof email.html !== "string" && typeof email.text !== "string")
    return `${where}: Missing \`html\` or \`text\` field`;
  return null;
}

export async function startMailServer(options: MailServerOptions = {}): Promise<MailServer> {
  let rate = options.ratePerSecond ?? null;
  const maxMessages = options.maxMessages ?? 20_000;
  const maxRequests = options.maxRequests ?? 10_000;
  const maxKeys = options.maxIdempotencyKeys ?? 10_000;
  const ttl = options.idempotencyTtlMs ?? 24 * 60 * 60 * 1000;
  let messages: CapturedMessage[] = [];
  let requests: RequestRecord[] = [];
  let counts = new Map<string, number>();
  let faults: (Fault & { left: number })[] = [];
  let admitted: number[] = [];
  const keys = new Map<string, IdempotencyEntry>();
  const sockets = new Set<Socket>();

  const now = () => performance.timeOrigin + performance.now();
  const send = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) => {
    if (res.writableEnded || res.destroyed) return;
    // Says on every answer that nothing is delivered, so the sender can record "capture" honestly
    // even when it reached this server through RESEND_BASE_URL.
    res.writeHead(status, { "content-type": "application/json", [CAPTURE_HEADER]: "1", ...headers });
    res.end(body);
  };

  /**
   * Forgets keys past their lifetime, then the oldest beyond the cap. A Map iterates in insertion
   * order and a key is inserted when its first request is processed, so the oldest come first.
   */
  function rememberKey(key: string, entry: IdempotencyEntry) {
    keys.set(key, entry);
    for (const [oldest, { at }] of keys) {
      if (keys.size <= maxKeys && entry.at - at <= ttl) break;
      keys.delete(oldest);
    }
  }

  function nextFault(): Fault | null {
    const fault = faults[0];
    if (!fault) return null;
    fault.left--;
    if (fault.left <= 0) faults.shift();
    return fault;
  }

  /** Sliding one-second window over admitted requests. Returns ms until a slot frees, or 0. */
  function rateWait(at: number): number {
    if (!rate) return 0;
    // Below one request a second the window widens: 0.5/s allows one request per two seconds.
    const windowMs = rate >= 1 ? 1000 : 1000 / rate;
    const allowed = Math.max(1, Math.floor(rate));
    admitted = admitted.filter((t) => t > at - windowMs);
    if (admitted.length < allowed) {
      admitted.push(at);
      return 0;
    }
    return admitted[admitted.length - allowed] + windowMs - at;
  }

  function capture(list: Email[], key: string | null): { id: string }[] {
    return list.map((email) => {
      const id = randomUUID();
      const to = (Array.isArray(email.to) ? email.to : [email.to]) as string[];
      for (const address of to) counts.set(address, (counts.get(address) ?? 0) + 1);
      messages.push({
        id,
        receivedAt: new Date().toISOString(),
        from: email.from as string,
        to,
        subject: email.subject as string,
        html: typeof email.html === "string" ? email.html : null,
        text: typeof email.text === "string" ? email.text : null,
        tags: Array.isArray(email.tags) ? (email.tags as CapturedMessage["tags"]) : [],
        headers:
          typeof email.headers === "object" && email.headers !== null && !Array.isArray(email.headers)
            ? Object.fromEntries(
                Object.entries(email.headers).filter(
                  (entry): entry is [string, string] => typeof entry[1] === "string",
                ),
              )
            : {},
        idempotencyKey: key,
      });
      return { id };
    });
  }

  /**
   * The raw body, or null past MAX_BODY_BYTES. Bytes, not text: the idempotency hash is taken over
   * them as they came (hashing the decoded string re-encoded every non-ASCII character, and a
   * batch of 100 emails took longer to hash than to parse).
   */
  async function readBody(req: IncomingMessage): Promise<Buffer | null> {
    const declared = Number(req.headers["content-length"]);
    if (declared > MAX_BODY_BYTES) {
      req.resume();
      return null;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) return null;
      chunks.push(chunk as Buffer);
    }
    return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
  }

  async function handleSend(req: IncomingMessage, res: ServerResponse, path: "/emails" | "/emails/batch") {
    const at = now();
    const key = (req.headers["idempotency-key"] as string | undefined) ?? null;
    const record = (status: number, outcome: RequestRecord["outcome"], emails = 0) => {
      requests.push({ at, path, idempotencyKey: key, emails, status, outcome });
      if (requests.length > maxRequests) requests.splice(0, requests.length - maxRequests);
    };

    const auth = req.headers.authorization;
    if (!auth?.startsWith("Bearer ") || auth.length <= 7) {
      record(401, "rejected");
      return send(
        res,
        401,
        errorBody(401, "missing_api_key", "Missing API key in the authorization header."),
      );
    }
    if (options.apiKey && auth.slice(7) !== options.apiKey) {
      record(403, "rejected");
      return send(res, 403, errorBody(403, "invalid_api_key", "API key is invalid."));
    }
    const wait = rateWait(at);
    if (wait > 0) {
      record(429, "rate-limited");
      return send(
        res,
        429,
        errorBody(
          429,
          "rate_limit_exceeded",
          "Too many requests. You can only make a limited number of requests per second.",
        ),
        {
          "retry-after": String(Math.max(1, Math.ceil(wait / 1000))),
          "ratelimit-limit": String(Math.floor(rate ?? 0)),
          "ratelimit-remaining": "0",
          "ratelimit-reset": String(Math.max(1, Math.ceil(wait / 1000))),
        },
      );
    }
    const raw = await readBody(req);
    if (raw === null) {
      record(413, "rejected");
      return send(res, 413, errorBody(413, "validation_error", "Request body is too large."));
    }
    const fault = nextFault();
    if (fault?.kind === "status") {
      record(fault.status, "fault");
      const name = fault.status >= 500 ? "internal_server_error" : "application_error";
      return send(res, fault.status, errorBody(fault.status, name, "Injected fault."));
    }
    if (fault?.kind === "hang") {
      record(0, "fault");
      return; // the socket stays open until the client gives up
    }
    if (fault?.kind === "delay") await new Promise((r) => setTimeout(r, fault.ms));

    if (key !== null && (key.length < 1 || key.length > 256)) {
      record(400, "rejected");
      return send(
        res,
        400,
        errorBody(400, "invalid_idempotency_key", "The key must be between 1-256 chars."),
      );
    }
    const hash = createHash("sha256").update(`${path}\n`).update(raw).digest("hex");
    if (key !== null) {
      const entry = keys.get(key);
      if (entry && at - entry.at > ttl) keys.delete(key);
      else if (entry?.state === "in-progress") {
        record(409, "conflict");
        return send(
          res,
          409,
          errorBody(
            409,
            "concurrent_idempotent_requests",
            "Same idempotency key used while original request is still in progress.",
          ),
        );
      } else if (entry && entry.hash !== hash) {
        record(409, "conflict");
        return send(
          res,
          409,
          errorBody(
            409,
            "invalid_idempotent_request",
            "Same idempotency key used with a different request payload.",
          ),
        );
      } else if (entry) {
        record(entry.status, "replayed");
        return send(res, entry.status, entry.body);
      }
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString("utf8"));
    } catch {
      record(422, "rejected");
      return send(res, 422, errorBody(422, "validation_error", "Request body is not valid JSON."));
    }
    const list = (path === "/emails/batch" ? parsed : [parsed]) as Email[];
    let problem: string | null = null;
    if (!Array.isArray(list)) problem = "The batch must be an array of emails.";
    else if (list.length === 0) problem = "The batch is empty.";
    else if (list.length > MAX_BATCH)
      problem = `Too many emails in one batch: ${list.length}; the maximum is ${MAX_BATCH}.`;
    else {
      for (const [i, email] of list.entries()) {
        problem = validateEmail(email, path === "/emails/batch" ? `emails[${i}]` : "email");
        if (problem) break;
      }
    }
    if (problem) {
      record(422, "rejected");
      return send(res, 422, errorBody(422, "validation_error", problem));
    }
    if (key !== null) rememberKey(key, { hash, state: "in-progress", status: 0, body: "", at });
    const ids = capture(list, key);
    if (messages.length > maxMessages) messages.splice(0, messages.length - maxMessages);
    const body = JSON.stringify(path === "/emails/batch" ? { data: ids } : ids[0]);
    if (key !== null) keys.set(key, { hash, state: "done", status: 200, body, at });
    record(200, "accepted", list.length);
    if (fault?.kind === "accept-then-hang") return;
    if (fault?.kind === "accept-then-delay") await new Promise((r) => setTimeout(r, fault.ms));
    send(res, 200, body);
  }

  async function handleAdmin(req: IncomingMessage, res: ServerResponse, url: URL) {
    const path = url.pathname;
    if (req.method === "GET" && path === "/_mail/messages") {
      const limit = Math.min(500, Number(url.searchParams.get("limit") ?? 50) || 50);
      const offset = Number(url.searchParams.get("offset") ?? 0) || 0;
      const to = url.searchParams.get("to");
      const list = (to ? messages.filter((m) => m.to.includes(to)) : messages).slice().reverse();
      return send(
        res,
        200,
        JSON.stringify({ object: "list", total: list.length, data: list.slice(offset, offset + limit) }),
      );
    }
    const one = /^\/_mail\/messages\/([\w-]+)$/.exec(path);
    if (req.method === "GET" && one) {
      const message = messages.find((m) => m.id === one[1]);
      return message
        ? send(res, 200, JSON.stringify(message))
        : send(res, 404, errorBody(404, "not_found", "Email not found"));
    }
    if (req.method === "GET" && path === "/_mail/requests")
      return send(res, 200, JSON.stringify({ data: requests }));
    if (req.method === "GET" && path === "/_mail/stats") {
      const duplicates = [...counts.values()].filter((n) => n > 1).length;
      return send(
        res,
        200,
        JSON.stringify({
          messages: messages.length,
          recipients: counts.size,
          duplicates,
          requests: requests.length,
          idempotencyKeys: keys.size,
          ratePerSecond: rate,
        }),
      );
    }
    if (req.method === "POST" && path === "/_mail/faults") {
      const body = JSON.parse((await readBody(req))?.toString("utf8") || "{}") as { faults?: Fault[] };
      for (const fault of body.faults ?? []) faults.push({ ...fault, left: fault.times ?? 1 });
      return send(res, 200, JSON.stringify({ faults }));
    }
    if (req.method === "POST" && path === "/_mail/config") {
      const body = JSON.parse((await readBody(req))?.toString("utf8") || "{}") as {
        ratePerSecond?: number | null;
      };
      if (body.ratePerSecond !== undefined) rate = body.ratePerSecond;
      return send(res, 200, JSON.stringify({ ratePerSecond: rate }));
    }
    if (req.method === "POST" && path === "/_mail/reset") {
      reset();
      return send(res, 200, "{}");
    }
    send(res, 404, errorBody(404, "not_found", `no route ${req.method} ${path}`));
  }

  function reset() {
    messages = [];
    requests = [];
    counts = new Map();
    faults = [];
    admitted = [];
    keys.clear();
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://mail.local");
    const handled =
      req.method === "POST" && (url.pathname === "/emails" || url.pathname === "/emails/batch")
        ? handleSend(req, res, url.pathname)
        : url.pathname.startsWith("/_mail/")
          ? handleAdmin(req, res, url)
          : Promise.resolve(
              send(res, 404, errorBody(404, "not_found", "The requested endpoint does not exist.")),
            );
    handled.catch((error: unknown) => send(res, 500, errorBody(500, "internal_server_error", String(error))));
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((done) => server.listen(options.port ?? 0, options.host ?? "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  const host = options.host && options.host !== "0.0.0.0" ? options.host : "127.0.0.1";

  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((done) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => done());
      }),
    messages: () => messages,
    requests: () => requests,
    recipientCounts: () => counts,
    idempotencyKeys: () => keys.size,
    injectFaults: (...list) => {
      for (const fault of list) faults.push({ ...fault, left: fault.times ?? 1 });
    },
    setRate: (value) => {
      rate = value;
      admitted = [];
    },
    reset,
  };
}
