import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import {
  BodyError,
  DISCARD,
  describeBytes,
  MAX_FORM_FIELDS,
  MAX_JSON_DEPTH,
  parseJsonText,
  readBody,
  readFormBody,
  readJsonBody,
  readTextBody,
} from "./body.server";

const FORM = "application/x-www-form-urlencoded";

function post(body: BodyInit | null, headers: Record<string, string> = {}): Request {
  return new Request("http://localhost/x", {
    method: "POST",
    body,
    headers,
    ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
  } as RequestInit);
}

/**
 * A chunked body (no Content-Length) of `chunks` pieces of `size` bytes; counts what was pulled and
 * resolves `cancelled` when the reader gives up on it.
 */
function endless(size: number, chunks = Number.POSITIVE_INFINITY) {
  const pulled = { chunks: 0 };
  let cancel = () => {};
  const cancelled = new Promise<void>((resolve) => {
    cancel = resolve;
  });
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled.chunks >= chunks) return controller.close();
      pulled.chunks++;
      controller.enqueue(new Uint8Array(size).fill(0x61));
    },
    cancel,
  });
  return { stream, pulled, cancelled };
}

async function refusal(promise: Promise<unknown>): Promise<BodyError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof BodyError) return error;
    throw error;
  }
  throw new Error("the body was accepted");
}

describe("reading a body with a byte budget", () => {
  it("stops keeping a chunked body at the limit, names the limit, and does not read forever", async () => {
    const { stream, pulled, cancelled } = endless(64 * 1024);
    let wasCancelled = false;
    void cancelled.then(() => {
      wasCancelled = true;
    });
    const error = await refusal(readBody(post(stream), 256 * 1024));
    expect(error.status).toBe(413);
    expect(error.message).toBe("the request body is larger than 256 KB, the limit here");
    // The rest is thrown away so the client can read the answer, up to DISCARD.bytes; then it is no
    // longer read, and never cancelled here (a reset could lose the answer not yet written).
    await vi.waitFor(() => expect(pulled.chunks * 64 * 1024).toBeGreaterThan(256 * 1024 + DISCARD.bytes));
    const settled = pulled.chunks;
    for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(pulled.chunks).toBe(settled);
    expect(pulled.chunks * 64 * 1024).toBeLessThanOrEqual(256 * 1024 + DISCARD.bytes + 4 * 64 * 1024);
    expect(wasCancelled).toBe(false);
  });

  it("refuses a declared Content-Length over the limit without waiting for the body", async () => {
    const silent = new ReadableStream<Uint8Array>({ pull: () => new Promise(() => {}) });
    const request = post(silent, { "content-length": String(10 * 1024 * 1024) });
    expect((await refusal(readBody(request, 1024))).status).toBe(413);
  });

  it("counts the bytes actually sent, whatever the Content-Length claims", async () => {
    const { stream } = endless(4096, 4);
    const error = await refusal(readBody(post(stream, { "content-length": "10" }), 8192));
    expect(error.status).toBe(413);
  });

  it("returns a body within the limit byte for byte, and an absent one as empty", async () => {
    const { stream } = endless(1000, 3);
    expect((await readBody(post(stream), 3000)).byteLength).toBe(3000);
    expect((await readBody(new Request("http://localhost/"), 10)).byteLength).toBe(0);
  });

  it("refuses bytes that are not UTF-8 and keeps a byte-order mark", async () => {
    const bad = await refusal(readTextBody(post(new Uint8Array([0x61, 0xff, 0x62])), 100));
    expect([bad.status, bad.message]).toEqual([400, "the request body is not valid UTF-8"]);
    expect(await readTextBody(post("\uFEFF{}"), 100)).toBe("\uFEFF{}");
  });

  it("describes limits the way people read them", () => {
    expect(describeBytes(16 * 1024)).toBe("16 KB");
    expect(describeBytes(2 * 1024 * 1024)).toBe("2 MB");
    expect(describeBytes(2 * 1024 * 1024 + 64 * 1024)).toBe("2.1 MB");
    expect(describeBytes(500)).toBe("500 bytes");
  });
});

describe("form bodies", () => {
  it("reads URL-encoded and multipart forms alike", async () => {
    const encoded = await readFormBody(
      post("intent=sign-in&email=ana%40example.test&name=J+Doe", { "content-type": FORM }),
      1024,
    );
    expect(Object.fromEntries(encoded)).toEqual({
      intent: "sign-in",
      email: "ana@example.test",
      name: "J Doe",
    });
    const multipart = new FormData();
    multipart.set("intent", "save-draft");
    multipart.set("content", '{"type":"doc"}');
    const parsed = await readFormBody(post(multipart), 1024);
    expect(Object.fromEntries(parsed)).toEqual({ intent: "save-draft", content: '{"type":"doc"}' });
  });

  it.each([
    ["JSON", "application/json", "{}"],
    ["plain text", "text/plain", "a=b"],
    ["no content type", null, "a=b"],
  ])("refuses %s with 415, naming what a form must be", async (_, type, body) => {
    const request = post(new TextEncoder().encode(body), type ? { "content-type": type } : {});
    const error = await refusal(readFormBody(request, 1024));
    expect(error.status).toBe(415);
    expect(error.message).toMatch(/application\/x-www-form-urlencoded or multipart\/form-data/);
  });

  it.each([
    [
      "a broken multipart body",
      "--x\r\nfoo",
      "multipart/form-data; boundary=x",
      /multipart form is malformed/,
    ],
    ["multipart without a boundary", "a=b", "multipart/form-data", /multipart form is malformed/],
    ["a stray percent sign", "a=100%", FORM, /not properly URL-encoded/],
    ["a percent escape that is not UTF-8", "a=%FF", FORM, /not properly URL-encoded/],
    ["a field sent twice", "csrf=1&intent=x&csrf=2", FORM, /field "csrf" was sent more than once/],
  ])("refuses %s with 400", async (_, body, type, message) => {
    const error = await refusal(readFormBody(post(body, { "content-type": type }), 1024));
    expect(error.status).toBe(400);
    expect(error.message).toMatch(message);
  });

  it("refuses files and forms with too many fields", async () => {
    const withFile = new FormData();
    withFile.set("intent", "x");
    withFile.set("upload", new File(["data"], "data.txt"));
    expect((await refusal(readFormBody(post(withFile), 1024))).message).toMatch(/takes no files/);
    const many = Array.from({ length: MAX_FORM_FIELDS + 1 }, (_, i) => `f${i}=1`).join("&");
    const error = await refusal(readFormBody(post(many, { "content-type": FORM }), 64 * 1024));
    expect(error.message).toMatch(/more than 100 fields/);
  });

  it("refuses raw bytes that are not UTF-8 in a form", async () => {
    const request = post(new Uint8Array([0x61, 0x3d, 0xc3, 0x28]), { "content-type": FORM });
    expect((await refusal(readFormBody(request, 1024))).message).toMatch(/not valid UTF-8/);
  });

  it("never throws anything but a BodyError for any bytes and content type", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 300 }),
        fc.constantFrom(FORM, "multipart/form-data; boundary=b", "multipart/form-data", "text/plain"),
        async (bytes, type) => {
          try {
            const form = await readFormBody(post(bytes, { "content-type": type }), 256);
            for (const [, value] of form) expect(typeof value).toBe("string");
          } catch (error) {
            expect(error).toBeInstanceOf(BodyError);
          }
        },
      ),
      { seed: 11, numRuns: 300 },
    );
  });
});

describe("JSON bodies", () => {
  const json = { "content-type": "application/json" };

  it("parses JSON sent as application/json", async () => {
    expect(await readJsonBody(post('{"email":"a@b.test"}', json), 100)).toEqual({ email: "a@b.test" });
    expect(
      await readJsonBody(post('{"a":1}', { "content-type": "application/merge-patch+json" }), 100),
    ).toEqual({ a: 1 });
  });

  it("treats an empty optional body as absent, and refuses an empty required one", async () => {
    expect(await readJsonBody(post(null), 100, { optional: true })).toBeUndefined();
    expect(await readJsonBody(post("  ", json), 100, { optional: true })).toBeUndefined();
    expect((await refusal(readJsonBody(post("", json), 100))).status).toBe(400);
  });

  it("refuses other content types and charsets with 415", async () => {
    expect((await refusal(readJsonBody(post("{}", { "content-type": FORM }), 100))).status).toBe(415);
    expect((await refusal(readJsonBody(post("{}"), 100))).message).toMatch(/text\/plain/);
    const latin1 = { "content-type": "application/json; charset=iso-8859-1" };
    expect((await refusal(readJsonBody(post("{}", latin1), 100))).message).toBe(
      "send JSON in UTF-8, not iso-8859-1",
    );
  });

  it("refuses malformed JSON, repeated keys, __proto__ and deep nesting with 400", async () => {
    expect((await refusal(readJsonBody(post("{", json), 100))).message).toBe(
      "the request body is not valid JSON",
    );
    expect(() => parseJsonText('{"email":"a","email":"b"}')).toThrow('repeats the key "email"');
    expect(() => parseJsonText('{"a":{"x":1},"b":{"x":2}}')).not.toThrow();
    expect(() => parseJsonText('{"attributes":{"__proto__":{"region":"EU"}}}')).toThrow(
      'reserved key "__proto__"',
    );
    expect(() => parseJsonText('{"a":"b,\\"c\\":1","c":{"a":1}}')).not.toThrow();
    const deep = (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`;
    expect(() => parseJsonText(deep(MAX_JSON_DEPTH))).not.toThrow();
    expect(() => parseJsonText(deep(MAX_JSON_DEPTH + 1))).toThrow("nested more than 32 levels deep");
    expect(() => parseJsonText(deep(100_000))).toThrow(BodyError);
  });

  it("agrees with JSON.parse on every document it accepts", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        const text = JSON.stringify(value);
        fc.pre(!text.includes('"__proto__":'));
        expect(parseJsonText(text)).toEqual(JSON.parse(text));
      }),
      { seed: 13, numRuns: 300 },
    );
  });
});
