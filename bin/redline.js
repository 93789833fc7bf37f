#!/usr/bin/env node
// `npx redline …`: runs the TypeScript command line through tsx's loader.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../scripts/redline.ts");
process.exitCode = await main(process.argv.slice(2));
