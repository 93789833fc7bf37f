/**
 * Compression of answers (see docs/decisions/0015-security-headers-and-compression.md). Brotli or
 * gzip, negotiated from Accept-Encoding, for every compressible type (HTML, JSON, Atom, scripts,
 * CSS, CSV, Remix's data requests). Answers the public response cache replays are compressed once,
 * when they are stored (`encodeVariants`); everything else goes through the `compression`
 * middleware (`compressAnswers`). ETags need no rewriting: the app's public tags are weak
 * (app/core/public/http-cache.ts), so one tag names every encoding of the same answer.
 */
import { promisify } from "node:util";
import { brotliCompress, constants, gzip } from "node:zlib";
import compression from "compression";
import type { Request, RequestHandler, Response } from "express";

export type Encoding = "br" | "gzip" | "identity";

/**
 * Below this many bytes an answer is sent as it is (the compression middleware's default): the
 * framing would eat most of the gain.
 */
export const COMPRESSION_THRESHOLD = 1024;

/**
 * Brotli quality for answers stored by the response cache (the middleware uses 4 per request). On
 * the demo policy page (25 kB) quality 6 gives 7.3 kB in about 2.5 ms, as small as 9 in a tenth of
 * its time; 11 would save another 15 % but take 50–90 ms of a thread-pool thread per stored answer,
 * every time a publication or midnight empties the cache — the pool express.static's file reads
 * share.
 */
const STORED_BROTLI_QUALITY = 6;

/** For everything the response cache does not answer. */
export function compressAnswers(): RequestHandler {
  const compress = compression({
    threshold: COMPRESSION_THRESHOLD,
    // A stream of events must reach the browser as each is written, not when a compressor's buffer fills.
    filter: (req: Request, res: Response) =>
      !String(res.getHeader("Content-Type") ?? "").startsWith("text/event-stream") &&
      compression.filter(req, res),
  });
  return (req, res, next) =>
    compress(req, res, () => {
      // Remix's adapter flushes after every chunk it writes, which makes the compressor close a block
      // per chunk: 10 times the CPU for brotli, and a larger result. Documents are rendered whole
      // before they are sent (app/entry.server.tsx), so nothing is gained by flushing them early.
      const flush = res.flush.bind(res);
      res.flush = () => {
        if (!String(res.getHeader("Content-Type") ?? "").startsWith("text/html")) flush();
      };
      next();
    });
}

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** The stored variants of one answer: always the identity body, br and gzip when they are worth it. */
export type Variants = { identity: Buffer; br?: Buffer; gzip?: Buffer };

/**
 * The one-shot compressors' output buffer: at most one thread-pool round trip per answer. With
 * zlib's 16 kB default a 1 MB redline page costs dozens of callbacks on the event loop (3–4 ms of
 * it per page, against about 1 ms).
 */
const MAX_CHUNK = 1024 * 1024;

/** Compresses a stored answer both ways, in the thread pool (zlib's async API), once. */
export async function encodeVariants(body: Buffer): Promise<Variants> {
  if (body.length < COMPRESSION_THRESHOLD) return { identity: body };
  const chunkSize = Math.min(MAX_CHUNK, Math.max(constants.Z_DEFAULT_CHUNK, body.length));
  const [br, gz] = (
    await Promise.all([
      brotli(body, {
        chunkSize,
        params: {
          [constants.BROTLI_PARAM_QUALITY]: STORED_BROTLI_QUALITY,
          [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
          [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
        },
      }),
      gzipAsync(body, { level: 9, chunkSize }),
    ])
  ).map(own);
  return {
    identity: body,
    ...(br.length < body.length ? { br } : {}),
    ...(gz.length < body.length ? { gzip: gz } : {}),
  };
}

/**
 * A compressed answer in memory of its own: zlib hands back a slice of its output buffer, which
 * the response cache would keep whole while counting only the slice.
 */
function own(compressed: Buffer): Buffer {
  return compressed.buffer.byteLength > compressed.length * 2 ? Buffer.from(compressed) : compressed;
}

/**
 * The encoding to answer with, from an Accept-Encoding header (RFC 9110 §12.5.3): the acceptable
 * coding with the highest q-value, br before gzip before identity when they tie (the compression
 * middleware's preference). `identity` is acceptable unless refused (`identity;q=0`, or `*;q=0`
 * without it), but comes after any coding the client lists; when nothing is acceptable, identity
 * is sent anyway, as most servers do.
 * @example preferredEncoding("gzip, deflate, br") // "br"
 * @example preferredEncoding("br;q=0.5, gzip") // "gzip"
 */
export function preferredEncoding(
  header: string | undefined,
  available: readonly Encoding[] = ["br", "gzip"],
): Encoding {
  if (!header) return "identity";
  let star: number | undefined;
  const q = new Map<string, number>();
  for (const part of header.split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    if (!name) continue;
    let quality = 1;
    for (const param of params) {
      const match = /^\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*$/.exec(param);
      if (match) quality = Number(match[1]);
    }
    if (name === "*") star = quality;
    else q.set(name, Math.max(quality, q.get(name) ?? 0));
  }
  // Unlisted identity stays acceptable, but below any coding the client asked for (as negotiator does).
  const quality = (coding: Encoding) => q.get(coding) ?? star ?? (coding === "identity" ? 0.001 : 0);
  let best: Encoding = "identity";
  let bestQuality = 0;
  for (const coding of [...available, "identity"] as Encoding[]) {
    const value = quality(coding);
    // Strictly greater: on a tie the earlier (preferred) coding stays.
    if (value > bestQuality) {
      best = coding;
      bestQuality = value;
    }
  }
  return best;
}
