/**
 * `npm run bench -- <name>`: prints figures to compare before and after a change. Numbers live
 * here, never in timed unit tests.
 */
const suites: Record<string, () => Promise<{ run: () => Promise<void> }>> = {
  diff: () => import("./diff"),
  import: () => import("./import"),
  "compare-flood": () => import("./compare-flood"),
  public: () => import("./public"),
  notify: () => import("./notify"),
  "migrate-to": () => import("./migrate-to"),
  requests: () => import("./requests"),
  startup: () => import("./startup"),
  pdf: () => import("./pdf"),
};

// Names are the arguments without a leading dash, less the value of an option given apart
// (`--database postgres://…`).
const names = process.argv
  .slice(2)
  .filter((arg, i, args) => !arg.startsWith("-") && !(i > 0 && args[i - 1] === "--database"));
const selected = names.length > 0 ? names : Object.keys(suites);
const unknown = selected.filter((name) => !(name in suites));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(", ")}; choose from: ${Object.keys(suites).join(", ")}`);
  process.exit(1);
}
for (const name of selected) {
  console.log(`\n## ${name}\n`);
  await (await suites[name]()).run();
}

// Makes this file a module, so the top-level await above is allowed.
export {};
