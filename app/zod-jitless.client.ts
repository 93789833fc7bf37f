/**
 * Zod 4 probes `new Function("")` to decide whether it may compile fast parsers; under the
 * workspace's Content-Security-Policy (no 'unsafe-eval') the probe is refused and reported as a
 * violation on every page load. Schemas that route modules define at the top level are built in
 * the browser too, so zod is told up front, before any route module runs (root.tsx imports this
 * first), not to try. A `.client` module: the server keeps zod's faster parsers.
 */
import { z } from "zod";

z.config({ jitless: true });
