/**
 * Request bodies (ADR 0013) over real HTTP against the real server: bodies are counted as they
 * stream and refused at each route's limit whatever the headers say (chunked, lying
 * Content-Length, several at once), with the server's memory bounded and other requests answered;
 * malformed requests get a clear 4xx, write nothing and log no stack trace.
 *
 * The cross-site and undecodable-address cases need server.ts to mount the HTTP guards
 * (`requestGuards()`, `answerExpressErrors()`, ADR 13).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { signWebhook } from "../support/webhook-signature";
import {
  BANNER_ORIGIN,
  type Fixture,
  failureLines,
  hostileFixture,
  peakMemoryDuring,
  rawRequest,
  requestHead,
  residentBytes,
  storedState,
  WEBHOOK_SECRET,
} from "./hostile-support";

const MB = 1024 * 1024;
/** Far below what buffering the floods below would take (4 × 100 MB), far above the noise of a running server. */
const MEMORY_ALLOWANCE = 96 * MB;

let fixture: Fixture;
let url: string;
// Several processes of the command line to set up: slow on a busy machine.
beforeAll(async () => {
  // At info level the server writes one line per request, which the malformed-request cases wait for.
  fixture = await hostileFixture({ LOG_LEVEL: "info" });
  url = fixture.server.url;
}, 180_000);
afterAll(() => fixture?.server.stop());

const chunked = (extra: Record<string, string> = {}) => ({
  "Transfer-Encoding": "chunked",
  "Content-Type": "application/x-www-form-urlencoded",
  ...extra,
});
const session = () => ({ Cookie: fixture.admin.cookieHeader() });
const api = () => ({ Authorization: `Bearer ${fixture.apiKey}` });

describe("bodies are refused at the route's limit, as they stream", () => {
  it.each([
    ["the anonymous sign-in form", "/admin/login", () => chunked(), "32 KB"],
    ["a workspace form", "/admin/users", () => chunked(session()), "256 KB"],
    ["the editor's autosave", "/admin/documents/1/draft", () => chunked(session()), "2 MB"],
    [
      "the subscribers API",
      "/api/v1/subscribers/sub-1",
      () => chunked({ ...api(), "Content-Type": "application/json" }),
      "16 KB",
    ],
    [
      "the acknowledgement API",
      "/api/v1/subscribers/sub-1/notices/1/ack",
      () => chunked({ ...api(), "Content-Type": "application/json" }),
      "1 KB",
    ],
    [
      "the webhook",
      "/api/v1/webhooks/resend",
      () => chunked({ "Content-Type": "application/json" }),
      "256 KB",
    ],
  ])(
    "%s: a chunked body without Content-Length gets 413 naming the limit",
    async (_, path, headers, limit) => {
      const method = path.startsWith("/api/v1/subscribers/sub-1") && !path.includes("ack") ? "PUT" : "POST";
      const answer = await rawRequest(url, requestHead(method, `${url}${path}`, headers()), {
        bodyBytes: 128 * MB,
      });
      expect(answer.status, answer.head).toBe(413);
      expect(answer.body).toContain(limit);
      // The server stopped taking the body: what it throws away after the answer is bounded in
      // bytes (about 20 MB with the kernel's buffers), far less than the 128 MB the client had.
      expect(answer.bytesSent).toBeLessThan(48 * MB);
    },
  );

  it("refuses a declared Content-Length over the limit before any of the body arrives", async () => {
    const head = requestHead("POST", `${url}/admin/login`, {
      "Content-Type": "application/x-www-form-urlencoded",
      "Content-Length": String(5 * 1024 * MB),
    });
    const answer = await rawRequest(url, head);
    expect(answer.status).toBe(413);
    expect(answer.body).toContain("32 KB");
  });

  it("reads no more than a Content-Length that claims less than is sent", async () => {
    const before = residentBytes(fixture.server.pid);
    const head = requestHead("POST", `${url}/admin/login`, {
      "Content-Type": "application/x-www-form-urlencoded",
      "Content-Length": "20",
    });
    const { result: answer, peak } = await peakMemoryDuring(fixture.server.pid, () =>
      rawRequest(url, head, { bodyBytes: 50 * MB }),
    );
    // Twenty bytes are the form (refused: no sign-in token); the rest is no request at all, and
    // Node's parser refuses it (400) and drops the connection — before or after the form's answer.
    expect(answer.status === null || [400, 403].includes(answer.status)).toBe(true);
    expect(peak - before).toBeLessThan(MEMORY_ALLOWANCE);
    expect((await fetch(`${url}/policies/privacy`)).status).toBe(200);
  });

  it("survives several large chunked bodies at once: all 413, memory bounded, other requests answered", async () => {
    const pid = fixture.server.pid;
    const before = residentBytes(pid);
    const { result, peak } = await peakMemoryDuring(pid, async () => {
      const floods = [
        rawRequest(url, requestHead("POST", `${url}/admin/login`, chunked()), { bodyBytes: 100 * MB }),
        rawRequest(url, requestHead("POST", `${url}/admin/login`, chunked()), { bodyBytes: 100 * MB }),
        rawRequest(url, requestHead("POST", `${url}/admin/documents/1/draft`, chunked(session())), {
          bodyBytes: 100 * MB,
        }),
        rawRequest(url, requestHead("POST", `${url}/admin/documents/1/draft`, chunked(session())), {
          bodyBytes: 100 * MB,
        }),
      ];
      // While the floods are under way, a reader still gets the policy.
      const reader = await fetch(`${url}/api/v1/policies/privacy`);
      return { answers: await Promise.all(floods), reader: reader.status };
    });
    expect(peak - before).toBeLessThan(MEMORY_ALLOWANCE);
    expect(result.answers.map((answer) => answer.status)).toEqual([413, 413, 413, 413]);
    expect(result.reader).toBe(200);
    const after = await fetch(`${url}/policies/privacy`);
    expect(after.status).toBe(200);
  });
});

describe("malformed requests get a clear 4xx, write nothing and log one line at most", () => {
  const form = "application/x-www-form-urlencoded";
  const cases: [string, () => [string, RequestInit], number, RegExp][] = [
    [
      "JSON to the sign-in form",
      () => [
        "/admin/login",
        { method: "POST", body: '{"email":"a"}', headers: { "content-type": "application/json" } },
      ],
      415,
      /x-www-form-urlencoded or multipart\/form-data, not application\/json/,
    ],
    [
      "a broken multipart body to a workspace form",
      () => [
        "/admin/users",
        {
          method: "POST",
          body: `--b\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n${fixture.admin.csrf}`,
          headers: { ...session(), "content-type": "multipart/form-data; boundary=b" },
        },
      ],
      400,
      /multipart form is malformed/,
    ],
    [
      "a workspace form with a field sent twice",
      () => [
        "/admin/users",
        {
          method: "POST",
          body: `csrf=${fixture.admin.csrf}&intent=add-user&email=a%40example.test&email=b%40example.test&role=admin`,
          headers: { ...session(), "content-type": form },
        },
      ],
      400,
      /field &quot;email&quot; was sent more than once/,
    ],
    [
      "invalid UTF-8 in a workspace form",
      () => [
        "/admin/api-keys",
        {
          method: "POST",
          body: Buffer.concat([
            Buffer.from(`csrf=${fixture.admin.csrf}&intent=create-key&name=`),
            Buffer.from([0xc3, 0x28]),
          ]),
          headers: { ...session(), "content-type": form },
        },
      ],
      400,
      /not valid UTF-8/,
    ],
    [
      "a percent escape that is not UTF-8",
      () => [
        "/admin/api-keys",
        {
          method: "POST",
          body: `csrf=${fixture.admin.csrf}&intent=create-key&name=%FF%FE`,
          headers: { ...session(), "content-type": form },
        },
      ],
      400,
      /not properly URL-encoded/,
    ],
    [
      "a cross-origin post to a workspace form",
      () => [
        "/admin/users",
        {
          method: "POST",
          body: `csrf=${fixture.admin.csrf}&intent=add-user&email=x%40example.test&role=admin`,
          headers: { ...session(), "content-type": form, origin: "https://evil.example" },
        },
      ],
      403,
      /Cross-site request refused/,
    ],
    [
      "a cross-origin post to the sign-in form",
      () => [
        "/admin/login",
        { method: "POST", body: "a=b", headers: { "content-type": form, origin: "null" } },
      ],
      403,
      /Cross-site request refused/,
    ],
    [
      "a form to the subscribers API",
      () => [
        "/api/v1/subscribers/sub-1",
        { method: "PUT", body: "email=a%40b.test", headers: { ...api(), "content-type": form } },
      ],
      415,
      /Content-Type: application\/json, not application\/x-www-form-urlencoded/,
    ],
    [
      "JSON without a content type to the subscribers API",
      () => [
        "/api/v1/subscribers/sub-1",
        { method: "PUT", body: '{"email":"new@example.test"}', headers: api() },
      ],
      415,
      /Content-Type: application\/json/,
    ],
    [
      "a JSON body with a repeated key",
      () => [
        "/api/v1/subscribers/sub-1",
        {
          method: "PUT",
          body: '{"email":"new@example.test","email":"other@example.test"}',
          headers: { ...api(), "content-type": "application/json" },
        },
      ],
      400,
      /repeats the key/,
    ],
    [
      "deeply nested JSON",
      () => [
        "/api/v1/subscribers/sub-1",
        {
          method: "PUT",
          body: `{"email":"new@example.test","attributes":${"[".repeat(2000)}${"]".repeat(2000)}}`,
          headers: { ...api(), "content-type": "application/json" },
        },
      ],
      400,
      /nested more than 32 levels/,
    ],
    [
      "JSON null as an acknowledgement body",
      () => [
        `/api/v1/subscribers/sub-1/notices/${fixture.noticeId}/ack`,
        { method: "POST", body: "null", headers: { ...api(), "content-type": "application/json" } },
      ],
      400,
      /body is optional/,
    ],
    [
      "a body on the banner's acknowledgement",
      () => [
        `/api/v1/embed/notices/${fixture.noticeId}/ack`,
        {
          method: "POST",
          body: '{"channel":"email"}',
          headers: {
            authorization: `Bearer ${fixture.userToken}`,
            origin: BANNER_ORIGIN,
            "content-type": "application/json",
          },
        },
      ],
      400,
      /takes no body/,
    ],
    [
      "a signed webhook whose body is not JSON",
      () => {
        const payload = "this is not JSON";
        const id = "msg_not_json";
        const timestamp = new Date();
        return [
          "/api/v1/webhooks/resend",
          {
            method: "POST",
            body: payload,
            headers: {
              "content-type": "application/json",
              "svix-id": id,
              "svix-timestamp": String(Math.floor(timestamp.getTime() / 1000)),
              "svix-signature": signWebhook(WEBHOOK_SECRET, id, timestamp, payload),
            },
          },
        ];
      },
      400,
      /not valid JSON/,
    ],
    [
      "an address whose percent-escapes are not UTF-8",
      () => ["/policies/%E0%A4%A", { method: "GET" }],
      400,
      /address is not valid/,
    ],
    // The root's loader answers `?_data=root` (public branding facts, as every page shows them); a
    // route id that matches nothing is refused.
    ["an old-style data request", () => ["/?_data=routes/nowhere", { method: "GET" }], 403, /./],
    [
      "a post to a page without a form",
      () => ["/policies/privacy", { method: "POST", body: "a=b", headers: { "content-type": form } }],
      405,
      /./,
    ],
  ];

  /**
   * The server writes a request's line when the answer is done, after anything else that request
   * logged (and after the client may already have read the answer): wait for it.
   */
  const requestLogged = (requestId: string) =>
    vi.waitFor(
      () => {
        const line = fixture.server
          .output()
          .split("\n")
          .find((text) => text.includes(`"requestId":"${requestId}"`) && text.includes('"msg":"request"'));
        if (!line) throw new Error(`no request line for ${requestId}`);
      },
      { timeout: 10_000, interval: 10 },
    );

  it.each(cases)("%s", async (_, request, status, message) => {
    const before = await storedState(fixture.server.databaseUrl);
    const logBefore = fixture.server.output().length;
    const [path, init] = request();
    const response = await fetch(`${url}${path}`, { redirect: "manual", ...init });
    expect(response.status).toBe(status);
    expect(await response.text()).toMatch(message);
    expect(await storedState(fixture.server.databaseUrl)).toEqual(before);
    await requestLogged(response.headers.get("x-request-id")!);
    // Judged by its own lines: each case waits for its request's line before the next begins.
    expect(failureLines(fixture.server.output().slice(logBefore))).toEqual([]);
  });
});
