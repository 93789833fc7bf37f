/**
 * Compression over real HTTP (ADR 15): brotli and gzip by Accept-Encoding for HTML, JSON, Atom and
 * scripts, always with `Vary: Accept-Encoding`; the response cache replays the variant it stored
 * (compressed once) instead of compressing again; one weak ETag for every encoding, and 304s.
 * Raw node:http requests, since fetch would decode the bodies before the test could see them.
 */
import { request } from "node:http";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer, untilPublicStateKnown } from "../support/server";

let server: RunningServer;

beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server?.stop());

type Raw = { status: number; headers: Record<string, string | undefined>; body: Buffer };

function raw(path: string, headers: Record<string, string> = {}, method = "GET"): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: Object.fromEntries(
            Object.entries(res.headers).map(([name, value]) => [
              name,
              Array.isArray(value) ? value.join(", ") : value,
            ]),
          ),
          body: Buffer.concat(chunks),
        }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

function decoded(response: Raw): Buffer {
  const coding = response.headers["content-encoding"];
  if (coding === "br") return brotliDecompressSync(response.body);
  if (coding === "gzip") return gunzipSync(response.body);
  expect(coding).toBeUndefined();
  return response.body;
}

/** Asks until the response cache has stored `path`'s compressed variants (made in the background). */
async function storedCompressed(path: string, encoding: "br" | "gzip"): Promise<Raw> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const response = await raw(path, { "Accept-Encoding": encoding });
    if (response.headers["x-cache"] === "hit" && response.headers["content-encoding"] === encoding)
      return response;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${path} was never replayed as ${encoding}`);
}

// A cookie makes the response cache step aside: these answers are rendered and compressed per request.
const RENDERED = { Cookie: "visitor=1" };

describe("compression", () => {
  it("sends HTML, JSON, Atom and scripts as brotli or gzip that decode to the very same bytes", async () => {
    // The workspace's largest module (small ones stay below the compression threshold).
    const modules = [
      ...(await raw("/admin/login")).body
        .toString()
        .matchAll(/<link rel="modulepreload" href="(\/build\/[^"]+\.js)"/g),
    ].map((match) => match[1]);
    const sizes = await Promise.all(modules.map(async (path) => (await raw(path)).body.length));
    const scriptPath = modules[sizes.indexOf(Math.max(...sizes))];
    expect(scriptPath).toBeTruthy();
    const paths = [
      "/policies/privacy",
      "/api/v1/policies/privacy",
      "/policies/privacy/feed.atom",
      "/embed/policy.js",
      scriptPath!,
    ];
    for (const path of paths) {
      const plain = await raw(path, RENDERED);
      expect(plain.status, path).toBe(200);
      expect(plain.headers["content-encoding"], path).toBeUndefined();
      expect(plain.headers.vary, path).toMatch(/Accept-Encoding/i);
      for (const encoding of ["br", "gzip"] as const) {
        const compressed = await raw(path, { ...RENDERED, "Accept-Encoding": `${encoding}` });
        expect(compressed.headers["content-encoding"], `${path} ${encoding}`).toBe(encoding);
        expect(compressed.headers.vary, path).toMatch(/Accept-Encoding/i);
        expect(compressed.body.length, path).toBeLessThan(plain.body.length);
        expect(decoded(compressed).equals(plain.body), `${path} ${encoding}`).toBe(true);
      }
    }
  });

  it("compresses the workspace's pages too, still marked no-store", async () => {
    const page = await raw("/admin/login", { "Accept-Encoding": "gzip, deflate, br" });
    expect(page.headers["content-encoding"]).toBe("br");
    expect(page.headers["cache-control"]).toBe("no-store");
    const html = decoded(page).toString();
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain("</html>");
  });

  it("prefers brotli and honours q-values", async () => {
    const path = "/api/v1/policies/privacy/versions";
    expect(
      (await raw(path, { ...RENDERED, "Accept-Encoding": "gzip, deflate, br" })).headers["content-encoding"],
    ).toBe("br");
    expect(
      (await raw(path, { ...RENDERED, "Accept-Encoding": "br;q=0, gzip" })).headers["content-encoding"],
    ).toBe("gzip");
    expect(
      (await raw(path, { ...RENDERED, "Accept-Encoding": "identity" })).headers["content-encoding"],
    ).toBeUndefined();
  });
});

describe("compressed answers from the response cache", () => {
  it("replay the stored brotli and gzip variants, whole, and the identity bytes to others", async () => {
    const path = "/policies/privacy/versions/1";
    await untilPublicStateKnown(server.url, "privacy");
    const first = await raw(path, { "Accept-Encoding": "br" });
    expect(first.headers["x-cache"]).toBe("miss");
    expect(first.headers["content-encoding"]).toBe("br");
    const identity = await raw(path);
    expect(identity.headers["x-cache"]).toBe("hit");
    expect(identity.headers["content-encoding"]).toBeUndefined();
    expect(decoded(first).equals(identity.body)).toBe(true);

    for (const encoding of ["br", "gzip"] as const) {
      const hit = await storedCompressed(path, encoding);
      expect(hit.headers.vary).toBe("Accept-Encoding");
      // A stored variant is sent whole with its length, not streamed through a compressor.
      expect(Number(hit.headers["content-length"])).toBe(hit.body.length);
      expect(hit.headers["transfer-encoding"]).toBeUndefined();
      expect(decoded(hit).equals(identity.body)).toBe(true);
      // The same stored bytes every time.
      expect((await raw(path, { "Accept-Encoding": encoding })).body.equals(hit.body)).toBe(true);
    }
    const head = await raw(path, { "Accept-Encoding": "br" }, "HEAD");
    expect(head.headers["content-encoding"]).toBe("br");
    expect(head.body.length).toBe(0);
  });

  it("give every encoding one weak ETag, and answer 304 to it whatever the encoding", async () => {
    const path = "/api/v1/policies/privacy";
    const miss = await raw(path, { "Accept-Encoding": "gzip" });
    const brotli = await storedCompressed(path, "br");
    const plain = await raw(path);
    const etag = miss.headers.etag!;
    expect(etag).toMatch(/^W\/"[\w-]+"$/);
    expect([brotli.headers.etag, plain.headers.etag]).toEqual([etag, etag]);

    for (const encoding of ["br", "gzip", "identity"]) {
      const replayed = await raw(path, { "Accept-Encoding": encoding, "If-None-Match": etag });
      expect(replayed.status, encoding).toBe(304);
      expect(replayed.headers["x-cache"]).toBe("hit");
      expect(replayed.headers.etag).toBe(etag);
      expect(replayed.headers.vary).toBe("Accept-Encoding");
      expect(replayed.body.length).toBe(0);
      const rendered = await raw(path, { ...RENDERED, "Accept-Encoding": encoding, "If-None-Match": etag });
      expect(rendered.status, encoding).toBe(304);
      expect(rendered.headers.etag).toBe(etag);
    }
  });
});
