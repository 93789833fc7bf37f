/**
 * A fuzz pass over real HTTP against the real server (ADR 0013): every JSON and form endpoint
 * (public API, subscribers API, notices and acknowledgements, the banner's API, the webhook, sign-in
 * and every workspace action with a valid session and CSRF token) gets malformed, oversized, deeply
 * nested and mistyped bodies, wrong methods, content types and origins. Every answer must be a 4xx,
 * the server's memory must stay bounded, nothing stored may change and the log must hold no failure.
 * Deterministic: a fixed seed.
 *
 * Needs server.ts to mount the HTTP guards (`requestGuards()`, `answerExpressErrors()`, ADR 13):
 * without them a cross-site post is Remix's 500 and an unread body stalls the next request.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BODY_LIMITS } from "../../app/http/body.server";
import { signWebhook } from "../support/webhook-signature";
import {
  BANNER_ORIGIN,
  type Fixture,
  failureLines,
  hostileFixture,
  peakMemoryDuring,
  residentBytes,
  storedState,
  WEBHOOK_SECRET,
} from "./hostile-support";

const SEED = 20261130;
const RUNS = 1500;
const MB = 1024 * 1024;

let fixture: Fixture;
// Several processes of the command line to set up: slow on a busy machine.
beforeAll(async () => {
  fixture = await hostileFixture();
}, 180_000);
afterAll(() => fixture?.server.stop());

type Kind = "none" | "form" | "json" | "optional-json" | "no-body" | "webhook";
type Target = {
  path: () => string;
  /** The method the route acts on; the others are wrong methods. */
  method: string;
  kind: Kind;
  limit: number;
  headers: () => Record<string, string>;
  /** Forms: the intents this route understands (so the fuzzer never sends a valid one by chance). */
  intents?: string[];
  /** Forms: valid intents with fields of the wrong type or shape. */
  mistyped?: Record<string, string>[];
  /** Methods never to send here (DELETE of the subscriber would be a valid erasure). */
  avoid?: string[];
};

const session = () => ({ cookie: fixture.admin.cookieHeader() });
const apiKey = () => ({ authorization: `Bearer ${fixture.apiKey}` });
const banner = () => ({ authorization: `Bearer ${fixture.userToken}`, origin: BANNER_ORIGIN });
const none = () => ({});
const { form: FORM_LIMIT } = BODY_LIMITS;

const NOT_A_NUMBER = ["", "0", "-1", "1.5", "abc", "1e400", "9".repeat(400), " "];
const targets: Target[] = [
  // Read-only JSON and pages: any body, any write method, is refused.
  ...[
    "/api/v1/policies/privacy",
    "/api/v1/policies/privacy/versions",
    "/api/v1/policies/privacy/versions/1",
    "/api/v1/policies/privacy/diff?from=1&to=2",
    "/",
    "/policies/privacy",
    "/policies/privacy/versions",
    "/policies/privacy/versions/1",
    "/policies/privacy/compare?from=1&to=2",
    "/policies/privacy/feed.atom",
    "/embed/policy.js",
    "/embed/notices.js",
    "/admin",
    "/admin/audit",
    "/admin/subscribers",
    "/admin/acknowledgements",
  ].map((path) => ({ path: () => path, method: "GET", kind: "none" as const, limit: 0, headers: session })),
  { path: () => "/api/v1/subscribers/sub-1/notices", method: "GET", kind: "none", limit: 0, headers: apiKey },
  { path: () => "/api/v1/embed/notices", method: "GET", kind: "none", limit: 0, headers: banner },
  // JSON.
  {
    path: () => "/api/v1/subscribers/sub-1",
    method: "PUT",
    kind: "json",
    limit: BODY_LIMITS.subscriber,
    headers: apiKey,
    avoid: ["DELETE"],
  },
  {
    path: () => `/api/v1/subscribers/sub-1/notices/${fixture.noticeId}/ack`,
    method: "POST",
    kind: "optional-json",
    limit: BODY_LIMITS.acknowledgement,
    headers: apiKey,
  },
  {
    path: () => `/api/v1/embed/notices/${fixture.noticeId}/ack`,
    method: "POST",
    kind: "no-body",
    limit: BODY_LIMITS.acknowledgement,
    headers: banner,
  },
  {
    path: () => "/api/v1/webhooks/resend",
    method: "POST",
    kind: "webhook",
    limit: BODY_LIMITS.webhook,
    headers: none,
  },
  // Forms.
  {
    path: () => "/admin/login",
    method: "POST",
    kind: "form",
    limit: BODY_LIMITS.signIn,
    headers: none,
    intents: ["sign-in"],
    mistyped: [{ intent: "sign-in", email: "boss@example.test", password: "hostile requests 123" }],
  },
  {
    path: () => "/admin/login.data",
    method: "POST",
    kind: "form",
    limit: BODY_LIMITS.signIn,
    headers: none,
    intents: ["sign-in"],
  },
  {
    path: () => `/admin/documents/${fixture.documents.drafting}/draft`,
    method: "POST",
    kind: "form",
    limit: BODY_LIMITS.draft,
    headers: session,
    intents: ["save-draft"],
    mistyped: [
      ...NOT_A_NUMBER.map((revision) => ({
        intent: "save-draft",
        revision,
        content: '{"type":"doc","content":[]}',
      })),
      { intent: "save-draft", revision: "1", content: "{" },
      { intent: "save-draft", revision: "1", content: '{"type":"doc","content":[{"type":"script"}]}' },
      { intent: "save-draft", revision: "1", content: `${"[".repeat(5000)}${"]".repeat(5000)}` },
    ],
  },
  {
    path: () => "/admin/account",
    method: "POST",
    kind: "form",
    limit: FORM_LIMIT,
    headers: session,
    intents: ["change-password"],
    mistyped: [
      { intent: "change-password", currentPassword: "", newPassword: "x", confirmPassword: "x" },
      {
        intent: "change-password",
        currentPassword: "a",
        newPassword: "x".repeat(2000),
        confirmPassword: "y",
      },
    ],
  },
  {
    path: () => "/admin/api-keys",
    method: "POST",
    kind: "form",
    limit: FORM_LIMIT,
    headers: session,
    intents: ["create-key", "revoke-key"],
    mistyped: [
      { intent: "create-key", name: "" },
      { intent: "revoke-key", name: "x".repeat(65) },
      { intent: "revoke-key", name: "no such key" },
    ],
  },
  {
    path: () => "/admin/documents?index",
    method: "POST",
    kind: "form",
    limit: FORM_LIMIT,
    headers: session,
    intents: ["create-document"],
    mistyped: [
      { intent: "create-document", slug: "", title: "T", locale: "en" },
      { intent: "create-document", slug: "privacy", title: "Again", locale: "en" },
      { intent: "create-document", slug: "x", title: "T", locale: "e" },
    ],
  },
  {
    path: () => "/admin/documents/1?index",
    method: "POST",
    kind: "form",
    limit: FORM_LIMIT,
    headers: session,
    intents: ["start-draft", "submit-for-review", "create-translation"],
    mistyped: [
      ...NOT_A_NUMBER.map((revision) => ({ intent: "submit-for-review", revision })),
      { intent: "create-translation", locale: "", title: "T" },
      { intent: "create-translation", locale: "en", title: "Same language" },
    ],
  },
  {
    path: () => `/admin/documents/${fixture.documents.approving}/publish`,
    method: "POST",
    kind: "form",
    limit: FORM_LIMIT,
    headers: session,
    intents: ["publish", "count-audience"],
    mistyped: [
      { intent: "count-audience", audience: "{" },
      { intent: "count-audience", audience: `${"[".repeat(3000)}${"]".repeat(3000)}` },
      { intent: "count-audience", audience: '{"region":{"nested":true}}' },
      ...NOT_A_NUMBER.map((revision) => ({
        intent: "publish",
        revision,
        lastUpdated: "2026-13-45",
        effectiveAt: "x",
      })),
      {
        intent: "publish",
        revision: "1",
        lastUpdated: "yesterday",
        effectiveAt: "2026-01-01",
        material: "yes",
      },
    ],
  },
  {
    path: () => `/admin/documents/${fixture.documents.approving}/publish.data`,
    method: "POST",
    kind: "form",
    limit: FORM_LIMIT,
    headers: session,
    intents: ["publish", "count-audience"],
  },
  {
    path: () => `/admin/documents/${fixture.documents.reviewing}/review`,
    method: "POST",
    kind: "form",
    limit: FORM_LIMIT,
    headers: session,
    intents: ["approve", "send-back"],
    mistyped: NOT_A_NUMBER.map((revision) => ({ intent: "approve", revision })),
  },
  {
    path: () => "/admin/documents/1/versions/1",
    method: "POST",
    kind: "form",
    limit: FORM_LIMIT,
    headers: session,
    intents: ["restore"],
  },
  {
    path: () => "/admin/embed",
    method: "POST",
    kind: "form",
    limit: FORM_LIMIT,
    headers: session,
    intents: ["rotate-secret", "add-origin", "remove-origin"],
    mistyped: [
      { intent: "add-origin", origin: "" },
      { intent: "add-origin", origin: "javascript:alert(1)" },
      { intent: "add-origin", origin: "x".repeat(300) },
      { intent: "remove-origin", origin: "https://never-added.example" },
    ],
  },
  {
    path: () => "/admin/logout",
    method: "POST",
    kind: "form",
    limit: FORM_LIMIT,
    headers: session,
    intents: ["sign-out"],
  },
  {
    path: () => `/admin/notices/${fixture.noticeId}`,
    method: "POST",
    kind: "form",
    limit: FORM_LIMIT,
    headers: session,
    intents: ["retry-failed"],
  },
  {
    path: () => "/admin/users",
    method: "POST",
    kind: "form",
    limit: FORM_LIMIT,
    headers: session,
    intents: ["add-user", "change-role"],
    mistyped: [
      { intent: "add-user", email: "not an email", role: "admin" },
      { intent: "add-user", email: "new@example.test", role: "owner" },
      { intent: "add-user", email: "boss@example.test", role: "viewer", password: "long enough password" },
      { intent: "change-role", userId: "abc", role: "admin" },
      { intent: "change-role", userId: "1", role: "superuser" },
    ],
  },
  {
    path: () => "/admin/users.data",
    method: "POST",
    kind: "form",
    limit: FORM_LIMIT,
    headers: session,
    intents: ["add-user", "change-role"],
  },
];

const ALL_INTENTS = new Set(targets.flatMap((target) => target.intents ?? []));

/* ------------------------------------------------------------------ bodies */

type Body = { body: Uint8Array<ArrayBuffer> | string | null; type: string | null; stream?: boolean };

const encoder = new TextEncoder();
const urlencode = (fields: [string, string][]) =>
  fields.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");

function multipart(fields: [string, string][], boundary = "fuzzBoundary"): Body {
  const parts = fields.map(
    ([name, value]) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name.replace(/"/g, "")}"\r\n\r\n${value}\r\n`,
  );
  return { body: `${parts.join("")}--${boundary}--\r\n`, type: `multipart/form-data; boundary=${boundary}` };
}

const formType = "application/x-www-form-urlencoded";
const anyType = fc.constantFrom<string | null>(
  null,
  formType,
  "multipart/form-data",
  "multipart/form-data; boundary=x",
  "application/json",
  "application/json; charset=latin1",
  "text/plain",
  "application/xml",
  "application/octet-stream",
  "image/png",
  ";;;",
  "application/x-www-form-urlencoded; charset=utf-16",
);
/** Bytes that are not UTF-8: some text, then a broken or forbidden sequence. */
const invalidUtf8 = fc
  .tuple(
    fc.string({ maxLength: 50 }),
    fc.constantFrom([0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xe2, 0x82]),
  )
  .map(([prefix, bad]) => new Uint8Array([...encoder.encode(prefix), ...bad]));
const deepJson = fc
  .tuple(fc.integer({ min: 33, max: 4000 }), fc.constantFrom("[", '{"a":'))
  .map(([depth, open]) => `${open.repeat(depth)}1${(open === "[" ? "]" : "}").repeat(depth)}`);
const fieldName = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom("csrf", "intent", "a[b][c]", "__proto__", ""),
);
const fieldValue = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom("", "0", "-1", "on", "null", "{}", "\u0000", "\u202e"),
);

function oversized(target: Target): fc.Arbitrary<Body> {
  return fc
    .record({
      extra: fc.integer({ min: 1, max: 256 * 1024 }),
      stream: fc.boolean(),
      type: fc.constantFrom(formType, "application/json", "multipart/form-data; boundary=x"),
    })
    .map(({ extra, stream, type }) => ({
      body: "a".repeat(Math.max(target.limit, 1024) + extra),
      type,
      stream,
    }));
}

function formBodies(target: Target): fc.Arbitrary<Body> {
  const csrf = () => fixture.admin.csrf;
  const unknownIntent = fc.string({ maxLength: 20 }).filter((intent) => !ALL_INTENTS.has(intent.trim()));
  const mistypedFields = fc
    .tuple(unknownIntent, fc.array(fc.tuple(fieldName, fieldValue), { maxLength: 8 }), fc.boolean())
    .map(([intent, rest, asMultipart]): Body => {
      const fields: [string, string][] = [
        ["csrf", csrf()],
        ["intent", intent],
      ];
      for (const [name, value] of rest)
        if (!fields.some(([taken]) => taken === name)) fields.push([name, value]);
      return asMultipart ? multipart(fields) : { body: urlencode(fields), type: formType };
    });
  const arbitraries: fc.Arbitrary<Body>[] = [
    mistypedFields,
    // The same field twice.
    fc.constantFrom("csrf", "intent").map((name) => ({
      body: `csrf=${csrf()}&intent=x&${name}=again`,
      type: formType,
    })),
    // JSON, text and other things that are not a form.
    fc
      .tuple(
        fc.jsonValue({ maxDepth: 3 }),
        fc.constantFrom<string | null>("application/json", "text/plain", "application/xml", null),
      )
      .map(([value, type]) => ({ body: JSON.stringify({ csrf: csrf(), intent: value }), type })),
    deepJson.map((body) => ({ body, type: "application/json" })),
    invalidUtf8.map((bytes) => ({
      body: new Uint8Array([...encoder.encode(`csrf=${csrf()}&intent=`), ...bytes]),
      type: formType,
    })),
    fc.constantFrom("%", "%zz", "%FF", "%C3%28", "%ED%A0%80", "a%2").map((broken) => ({
      body: `csrf=${csrf()}&intent=${broken}`,
      type: formType,
    })),
    // Broken multipart: junk after a boundary, no boundary, a file.
    fc
      .string({ maxLength: 200 })
      .map((junk) => ({ body: `--b\r\n${junk}`, type: "multipart/form-data; boundary=b" })),
    fc.constant<Body>({ body: "csrf=x&intent=x", type: "multipart/form-data" }),
    fc
      .constant<Body>({
        body: `--b\r\nContent-Disposition: form-data; name="csrf"\r\n\r\nCSRF\r\n--b\r\nContent-Disposition: form-data; name="upload"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\ndata\r\n--b--\r\n`,
        type: "multipart/form-data; boundary=b",
      })
      .map((body) => ({ ...body, body: String(body.body).replace("CSRF", csrf()) })),
    fc.integer({ min: 101, max: 400 }).map((count) => ({
      body: `csrf=${csrf()}&${Array.from({ length: count }, (_, i) => `f${i}=1`).join("&")}`,
      type: formType,
    })),
    oversized(target),
    fc.tuple(fc.uint8Array({ maxLength: 2000 }), anyType).map(([body, type]) => ({ body, type })),
  ];
  if (target.mistyped?.length) {
    arbitraries.push(
      fc.tuple(fc.constantFrom(...target.mistyped), fc.boolean()).map(([fields, asMultipart]) => {
        const entries: [string, string][] = [["csrf", csrf()], ...Object.entries(fields)];
        return asMultipart ? multipart(entries) : { body: urlencode(entries), type: formType };
      }),
    );
  }
  return fc.oneof(...arbitraries);
}

const notAnObject = fc.oneof(
  fc.constant(null),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.string(),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 5 }),
);

/** Mistyped JSON that the endpoint must refuse (never a valid body). */
function mistypedJson(kind: Kind): fc.Arbitrary<unknown> {
  switch (kind) {
    case "json":
      return fc.oneof(
        notAnObject,
        fc.record(
          { email: notAnObject.filter((v) => typeof v !== "string"), name: fc.jsonValue({ maxDepth: 2 }) },
          { requiredKeys: ["email"] },
        ),
        fc.record({
          email: fc.constant("new@example.test"),
          attributes: fc.oneof(
            // (null is a valid "no attributes")
            notAnObject.filter((value) => value !== null),
            fc.dictionary(
              fc.string({ minLength: 1, maxLength: 8 }),
              fc.oneof(fc.integer(), fc.object({ maxDepth: 2 })),
              {
                minKeys: 1,
              },
            ),
            fc.dictionary(fc.constantFrom("bad name!", "", "a.b", "<b>"), fc.string(), { minKeys: 1 }),
          ),
        }),
        fc.record({
          email: fc.constant("new@example.test"),
          locale: fc.oneof(fc.integer(), fc.constantFrom("", "not a locale", "e")),
        }),
        fc.record({ email: fc.constant("new@example.test"), unexpected: fc.jsonValue({ maxDepth: 2 }) }),
        fc
          .string({ maxLength: 30 })
          .filter((s) => !s.includes("@"))
          .map((email) => ({ email })),
      );
    case "optional-json":
      return fc.oneof(
        notAnObject,
        fc.record({
          channel: fc.oneof(
            fc.integer(),
            fc.string().filter((s) => !["api", "dashboard", "email"].includes(s)),
          ),
        }),
        fc.record({ channel: fc.constant("api"), extra: fc.jsonValue({ maxDepth: 2 }) }),
      );
    case "no-body":
      return fc.oneof(
        notAnObject.filter((v) => v !== null),
        fc.dictionary(fc.string({ minLength: 1 }), fc.jsonValue({ maxDepth: 2 }), { minKeys: 1 }),
      );
    case "webhook":
      return fc.oneof(
        notAnObject,
        fc.record(
          {
            type: fc.oneof(fc.integer(), fc.constant(""), fc.constant(null), fc.array(fc.string())),
            data: fc.jsonValue({ maxDepth: 3 }),
          },
          { requiredKeys: [] },
        ),
        fc.record({ type: fc.constant("email.delivered"), data: notAnObject.filter((v) => v !== null) }),
        fc.record({
          type: fc.constant("email.bounced"),
          data: fc.record({ email_id: fc.integer(), bounce: fc.string() }),
        }),
      );
    default:
      return fc.jsonValue({ maxDepth: 3 });
  }
}

function jsonBodies(target: Target): fc.Arbitrary<Body> {
  const json = "application/json";
  return fc.oneof(
    mistypedJson(target.kind).map((value) => ({ body: JSON.stringify(value), type: json })),
    // Mistyped content types: a form, text, none, another charset.
    fc
      .tuple(
        mistypedJson(target.kind),
        fc.constantFrom<string | null>(
          formType,
          "text/plain",
          null,
          "application/json; charset=utf-16",
          "multipart/form-data",
        ),
      )
      .map(([value, type]) => ({ body: JSON.stringify(value) ?? "x", type })),
    fc
      .string({ minLength: 1, maxLength: 100 })
      .filter((text) => {
        try {
          JSON.parse(text);
          return false;
        } catch {
          return true;
        }
      })
      .map((body) => ({ body, type: json })),
    deepJson.map((body) => ({
      body: target.kind === "json" ? `{"email":"a@b.test","attributes":${body}}` : body,
      type: json,
    })),
    fc
      .constantFrom(
        '{"email":"a@b.test","email":"c@d.test"}',
        '{"channel":"api","channel":"email"}',
        '{"a":1,"a":1}',
        '{"email":"new@example.test","attributes":{"__proto__":{"region":"EU"}}}',
      )
      .map((body) => ({ body, type: json })),
    invalidUtf8.map((body) => ({ body, type: json })),
    oversized(target),
    fc
      .tuple(fc.uint8Array({ minLength: 1, maxLength: 2000 }), anyType)
      .map(([body, type]) => ({ body, type })),
  );
}

/** Counterexamples print a body's type, size and first bytes, not megabytes of it. */
function described(body: Body): Body {
  const text =
    body.body === null
      ? ""
      : typeof body.body === "string"
        ? body.body
        : Buffer.from(body.body).toString("latin1");
  const summary = `${body.type ?? "no type"}${body.stream ? ", chunked" : ""}, ${text.length} bytes: ${JSON.stringify(text.slice(0, 120))}`;
  return Object.assign(body, { [fc.toStringMethod]: () => summary });
}

function bodiesFor(target: Target): fc.Arbitrary<Body> {
  if (target.kind === "form") return formBodies(target).map(described);
  if (target.kind === "none") {
    return fc
      .oneof(
        fc.constant<Body>({ body: null, type: null }),
        fc
          .tuple(fc.jsonValue({ maxDepth: 3 }), anyType)
          .map(([value, type]) => ({ body: JSON.stringify(value), type })),
        oversized({ ...target, limit: 256 * 1024 }),
      )
      .map(described);
  }
  return jsonBodies(target).map(described);
}

/* ------------------------------------------------------------------ requests */

type Fuzzed = {
  target: Target;
  method: string;
  body: Body;
  origin: string | null | undefined;
  signed: boolean;
};

// Counterexamples name the target by its path.
for (const target of targets) Object.assign(target, { [fc.toStringMethod]: () => target.path() });

const request: fc.Arbitrary<Fuzzed> = fc.constantFrom(...targets).chain((target) =>
  fc.record({
    target: fc.constant(target),
    method: fc
      .constantFrom(
        ...(target.method === "GET"
          ? ["POST", "PUT", "PATCH", "DELETE"]
          : [target.method, target.method, target.method, target.method, "PUT", "PATCH", "DELETE", "POST"]),
      )
      .filter((method) => !target.avoid?.includes(method)),
    body: bodiesFor(target),
    // undefined: the target's own headers decide; null: no Origin at all.
    origin: fc.oneof(
      { weight: 6, arbitrary: fc.constant(undefined) },
      {
        weight: 1,
        arbitrary: fc.constantFrom<string | null>(null, "https://evil.example", "null", "not a url"),
      },
    ),
    signed: fc.boolean(),
  }),
);

let svixCounter = 0;
async function send({
  target,
  method,
  body,
  origin,
  signed,
}: Fuzzed): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = { ...target.headers() };
  if (origin === null) delete headers.origin;
  else if (origin !== undefined) headers.origin = origin;
  if (body.type !== null) headers["content-type"] = body.type;
  if (target.kind === "webhook" && signed && typeof body.body === "string") {
    const id = `msg_fuzz_${++svixCounter}`;
    const timestamp = new Date();
    headers["svix-id"] = id;
    headers["svix-timestamp"] = String(Math.floor(timestamp.getTime() / 1000));
    headers["svix-signature"] = signWebhook(WEBHOOK_SECRET, id, timestamp, body.body);
  }
  const bytes =
    body.body === null ? null : typeof body.body === "string" ? encoder.encode(body.body) : body.body;
  const init: RequestInit & { duplex?: "half" } = { method, headers, redirect: "manual" };
  if (bytes !== null) {
    if (body.stream) {
      // Chunked, without Content-Length: 64 KB pieces.
      let offset = 0;
      init.body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (offset >= bytes.byteLength) return controller.close();
          controller.enqueue(bytes.slice(offset, offset + 64 * 1024));
          offset += 64 * 1024;
        },
      });
      init.duplex = "half";
    } else {
      init.body = bytes;
    }
  }
  const response = await fetch(`${fixture.server.url}${target.path()}`, init);
  const location = response.headers.get("location");
  return {
    status: response.status,
    text: `${location ? `→ ${location} ` : ""}${(await response.text()).slice(0, 300)}`,
  };
}

describe("fuzzing every JSON and form endpoint", () => {
  it("answers only 4xx, keeps memory bounded, changes nothing stored and logs no failure", async () => {
    const pid = fixture.server.pid;
    // One round of ordinary requests first, so that the baseline includes warmed-up code.
    for (const target of targets)
      await fetch(`${fixture.server.url}${target.path()}`, { headers: target.headers() });
    const before = await storedState(fixture.server.databaseUrl);
    const memoryBefore = residentBytes(pid);
    const logBefore = fixture.server.output().length;
    const { peak } = await peakMemoryDuring(pid, () =>
      fc.assert(
        fc.asyncProperty(request, async (fuzzed) => {
          const { status, text } = await send(fuzzed);
          const what = `${fuzzed.method} ${fuzzed.target.path()} (${fuzzed.body.type ?? "no type"}): ${status} ${text}`;
          expect(status >= 400 && status < 500, what).toBe(true);
        }),
        { seed: SEED, numRuns: RUNS, endOnFailure: true },
      ),
    );
    expect(await storedState(fixture.server.databaseUrl)).toEqual(before);
    expect(peak - memoryBefore).toBeLessThan(128 * MB);
    expect(failureLines(fixture.server.output().slice(logBefore))).toEqual([]);
    // And the server still serves.
    expect((await fetch(`${fixture.server.url}/policies/privacy`)).status).toBe(200);
  }, 240_000);
});
