// Usage: node validate.mjs FILE...  Prints one JSON line per file: {file, errors: [...], warnings: n}.
// Exits 1 if any document has an error (severity 0).
import { readFileSync } from "node:fs";
import { Parser } from "@asyncapi/parser";

const parser = new Parser();
let failed = false;
for (const file of process.argv.slice(2)) {
  const { document, diagnostics } = await parser.parse(readFileSync(file, "utf8"));
  const errors = diagnostics.filter((d) => d.severity === 0).map((d) => `${d.path.join(".")}: ${d.message}`);
  if (errors.length || !document) failed = true;
  console.log(JSON.stringify({ file, version: document?.version() ?? null, errors,
    warnings: diagnostics.filter((d) => d.severity === 1).length }));
}
process.exit(failed ? 1 : 0);
