/* Load the golden cases that scripts/golden_cases.py computes with PyTorch. */
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..", "..");
const GOLDEN = process.env.CNNBOOK_GOLDEN ||
  path.join(ROOT, "_build", "golden", "engine_cases.json");

function loadGolden() {
  if (!fs.existsSync(GOLDEN)) {
    throw new Error(`no golden cases at ${GOLDEN}: run ` +
      "`.venv/bin/python scripts/golden_cases.py` first (or set CNNBOOK_GOLDEN)");
  }
  return JSON.parse(fs.readFileSync(GOLDEN, "utf8"));
}

/** A golden value back as a number: JSON has no infinity, the script writes "-inf". */
function decode(v) {
  return v === "-inf" ? -Infinity : v === "inf" ? Infinity : v;
}

function web(name) {
  return require(path.join(ROOT, "src", "cnnbook", "web", name));
}

module.exports = { GOLDEN, ROOT, decode, loadGolden, web };
