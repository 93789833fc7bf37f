import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { COMPRESSION_THRESHOLD, encodeVariants, preferredEncoding } from "./compression";

describe("choosing an encoding from Accept-Encoding", () => {
  it("prefers brotli to gzip when the client accepts both equally, whatever their order", () => {
    expect(preferredEncoding("gzip, deflate, br, zstd")).toBe("br");
    expect(preferredEncoding("br, gzip")).toBe("br");
    expect(preferredEncoding("*")).toBe("br");
  });

  it("follows the client's q-values, and q=0 refuses a coding", () => {
    expect(preferredEncoding("br;q=0.5, gzip")).toBe("gzip");
    expect(preferredEncoding("br;q=0, gzip;q=0.1")).toBe("gzip");
    expect(preferredEncoding("gzip;q=0, br;q=0")).toBe("identity");
    expect(preferredEncoding("*;q=0, identity")).toBe("identity");
    expect(preferredEncoding("identity;q=1, br;q=0.4")).toBe("identity");
  });

  it("sends the answer as it is to a client that names no coding we have", () => {
    expect(preferredEncoding(undefined)).toBe("identity");
    expect(preferredEncoding("")).toBe("identity");
    expect(preferredEncoding("deflate, zstd")).toBe("identity");
    expect(preferredEncoding("identity")).toBe("identity");
  });

  it("chooses only among the codings stored for an answer", () => {
    expect(preferredEncoding("br, gzip", ["gzip"])).toBe("gzip");
    expect(preferredEncoding("br", [])).toBe("identity");
  });
});

describe("stored variants", () => {
  it("decode to the very bytes they were made from", async () => {
    const body = Buffer.from("<p>We keep your data for thirty days.</p>\n".repeat(200));
    const variants = await encodeVariants(body);
    expect(variants.identity).toBe(body);
    expect(brotliDecompressSync(variants.br!).equals(body)).toBe(true);
    expect(gunzipSync(variants.gzip!).equals(body)).toBe(true);
    expect(variants.br!.length).toBeLessThan(variants.gzip!.length);
  });

  it("of a large answer keep only their own bytes in memory, which is what the cache counts", async () => {
    // A page of a large redline: varied enough not to compress to nothing.
    const body = Buffer.from(
      Array.from(
        { length: 40_000 },
        (_, i) => `<p>Clause ${i}: we keep record ${(i * 7919) % 10007}.</p>`,
      ).join(""),
    );
    const variants = await encodeVariants(body);
    for (const compressed of [variants.br!, variants.gzip!]) {
      expect(compressed.length).toBeLessThan(body.length / 2);
      expect(compressed.buffer.byteLength).toBeLessThanOrEqual(Math.max(8192, compressed.length * 2));
    }
    expect(brotliDecompressSync(variants.br!).equals(body)).toBe(true);
    expect(gunzipSync(variants.gzip!).equals(body)).toBe(true);
  });

  it("are not made for an answer too small to gain from them", async () => {
    const body = Buffer.from("x".repeat(COMPRESSION_THRESHOLD - 1));
    expect(await encodeVariants(body)).toEqual({ identity: body });
  });
});
