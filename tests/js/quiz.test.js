// web/quiz.js: reading typed answers, judging them, and the drills' seeded problems, whose
// answers must be what web/arithmetic.js (golden-tested against torch) computes.
// Run with: node --test tests/js/quiz.test.js
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const web = path.join(__dirname, "..", "..", "src", "cnnbook", "web");
const Quiz = require(path.join(web, "quiz.js"));
const A = require(path.join(web, "arithmetic.js"));

test("numbers are read as a reader types them", () => {
  const cases = [["12", 12], [" -3 ", -3], ["\u22125", -5], ["0.5", 0.5], [".25", 0.25],
                 ["7.", 7], ["1e-3", 0.001], ["+4", 4], ["1/3", 1 / 3], ["-2 / 4", -0.5]];
  for (const [text, value] of cases) {
    assert.deepEqual(Quiz.parseNumber(text), { ok: true, value }, text);
  }
});

test("a malformed number says what to type", () => {
  assert.match(Quiz.parseNumber("").error, /Type your answer first/);
  assert.match(Quiz.parseNumber("1,5").error, /Use a point for decimals: 1\.5/);
  assert.match(Quiz.parseNumber("seven").error, /\u201cseven\u201d is not a number/);
  assert.match(Quiz.parseNumber("1/0").error, /not a number/);
  assert.match(Quiz.parseNumber("2 3").error, /not a number/);
});

test("arrays are read as rows, lines, Python lists or NumPy's printout", () => {
  const two = [[1, 2, 3], [4, 5, 6]];
  for (const text of ["1 2 3; 4 5 6", "1, 2, 3; 4, 5, 6;", "1 2 3\n4 5 6", "[[1, 2, 3], [4, 5, 6]]",
                      "[[1 2 3]\n [4 5 6]]", "np.array([[1, 2, 3], [4, 5, 6],])",
                      "torch.tensor([[1., 2., 3.], [4., 5., 6.]])", "[[1,2,3],[4,5,6]]"]) {
    assert.deepEqual(Quiz.parseArray(text), { ok: true, value: two, shape: [2, 3] }, text);
  }
  assert.deepEqual(Quiz.parseArray("1 2"), { ok: true, value: [1, 2], shape: [2] });
  assert.deepEqual(Quiz.parseArray("[-1, 0.5]"), { ok: true, value: [-1, 0.5], shape: [2] });
  assert.deepEqual(Quiz.parseArray("[[7]]"), { ok: true, value: [[7]], shape: [1, 1] });
});

test("a malformed array says what is wrong and how to type one", () => {
  const errors = {
    "1 2; 3": /row 2 has 1 numbers and row 1 has 2/,
    "[[1, 2], [3]]": /row 2 does not have the shape of row 1/,
    "[[1, 2], [3, 4]": /not closed/,
    "[1, 2] 3": /after the list/,
    "[1, x]": /\u201cx\u201d is not a number/,
    "[[[1]]]": /1 or 2 dimensions/,
    "[]": /a list is empty/,
    "1 two": /row 1: \u201ctwo\u201d is not a number/,
    "": /Type your answer first/,
  };
  for (const [text, why] of Object.entries(errors)) {
    const result = Quiz.parseArray(text);
    assert.equal(result.ok, false, text);
    assert.match(result.error, why, text);
    if (text) assert.match(result.error, /Type rows like 1 2 3; 4 5 6/, text);
  }
});

test("integers are exact, reals within their tolerance", () => {
  const int = { kind: "integer", answer: 15, tolerance: 0 };
  assert.equal(Quiz.judge(int, "15").status, "right");
  assert.equal(Quiz.judge(int, "15.0").status, "right");
  assert.equal(Quiz.judge(int, "14").status, "wrong");
  assert.equal(Quiz.judge(int, "15.5").status, "wrong");
  assert.equal(Quiz.judge(int, "fifteen").status, "invalid");
  const real = { kind: "number", answer: 1 / 3, tolerance: 0.005 };
  assert.equal(Quiz.judge(real, "0.333").status, "right");
  assert.equal(Quiz.judge(real, "1/3").status, "right");
  assert.equal(Quiz.judge(real, "0.33").status, "right");
  assert.equal(Quiz.judge(real, "0.32").status, "wrong");
});

test("a choice needs a pick among the options", () => {
  const key = { kind: "choice", answer: 1, tolerance: 0, choices: ["a", "b", "c"] };
  assert.equal(Quiz.judge(key, "1").status, "right");
  assert.equal(Quiz.judge(key, 1).status, "right");
  assert.equal(Quiz.judge(key, "0").status, "wrong");
  assert.deepEqual(Quiz.judge(key, null), { status: "invalid",
                                            message: "Pick one of the options first." });
  assert.equal(Quiz.judge(key, "3").status, "invalid");
  assert.equal(Quiz.judge(key, "0.5").status, "invalid");
});

test("arrays are judged by shape first (1s aside), then value by value", () => {
  const key = { kind: "array", answer: [[-4, -4], [-4, -4]], tolerance: 0, shape: [2, 2] };
  assert.equal(Quiz.judge(key, "-4 -4; -4 -4").status, "right");
  assert.equal(Quiz.judge(key, "-4 -4; -4 -3").status, "wrong");
  assert.deepEqual(Quiz.judge(key, "-4 -4 -4 -4"), {
    status: "invalid", message: "Expected 2 rows of 2 (2 \u00d7 2); you typed one row of 4 numbers.",
  });
  const row = { kind: "array", answer: [1, 2], tolerance: 0, shape: [2] };
  assert.equal(Quiz.judge(row, "1 2").status, "right");
  assert.equal(Quiz.judge(row, "[[1, 2]]").status, "right");
  assert.equal(Quiz.judge(row, "1; 2").status, "right"); // a column is the same 2 numbers
  assert.equal(Quiz.judge(row, "2 1").status, "wrong");
  assert.equal(Quiz.judge(row, "1 2 3").status, "invalid");
  const real = { kind: "array", answer: [0.25, 0.75], tolerance: 0.01, shape: [2] };
  assert.equal(Quiz.judge(real, "0.255 0.745").status, "right");
  assert.equal(Quiz.judge(real, "0.27 0.75").status, "wrong");
});

test("no verdict gives the key away", () => {
  const key = { kind: "integer", answer: 987, tolerance: 0 };
  for (const typed of ["986", "988", "abc", "", "98.7"]) {
    assert.doesNotMatch(Quiz.judge(key, typed).message, /987/, typed);
  }
  const array = { kind: "array", answer: [[123, 456]], tolerance: 0, shape: [1, 2] };
  for (const typed of ["1 2", "1 2 3", "[1,"]) {
    assert.doesNotMatch(Quiz.judge(array, typed).message, /123|456/, typed);
  }
});

test("a fingerprint tells keys apart and stays the same for one key", () => {
  const key = { id: "c4-stride", kind: "integer", answer: 15, tolerance: 0 };
  assert.match(Quiz.fingerprint(key), /^[0-9a-f]{8}$/);
  assert.equal(Quiz.fingerprint(key), Quiz.fingerprint({ ...key }));
  assert.notEqual(Quiz.fingerprint(key), Quiz.fingerprint({ ...key, answer: 16 }));
});

test("the generator is seeded: same seed, same numbers; other seeds, others", () => {
  const draw = (seed) => { const r = Quiz.makeRng(seed); return Array.from({ length: 50 }, r); };
  assert.deepEqual(draw(42), draw(42));
  assert.notDeepEqual(draw(42), draw(43));
  const values = draw(7).concat(draw(2 ** 32 - 1));
  assert.ok(values.every((v) => v >= 0 && v < 1));
  const mean = values.reduce((a, b) => a + b) / values.length;
  assert.ok(Math.abs(mean - 0.5) < 0.1, String(mean));
});

test("the drills offered are the ones cnnbook.exercises names", () => {
  const source = fs.readFileSync(path.join(web, "..", "exercises.py"), "utf8");
  const named = /DRILLS: tuple\[str, \.\.\.\] = \(([^)]*)\)/.exec(source)[1];
  assert.deepEqual(Quiz.DRILLS, [...named.matchAll(/"([^"]+)"/g)].map((m) => m[1]));
  assert.throws(() => Quiz.generate("stride", 1, 0), /kind must be one of output-size/);
});

// The answer of a problem, from its parameters, by arithmetic.js called directly.
function arithmeticAnswer(p) {
  if (p.layers) {
    return A.receptiveField(p.layers.map((l) => [l.kernel_size, l.stride, l.dilation])).size;
  }
  if (p.padding === "same") return A.samePadding(p.kernel_size, 1, p.dilation);
  if (p.layer === "Linear") return A.linearParameters(p.in_features, p.out_features, p.bias);
  if (p.size === undefined) {
    const count = p.layer === "Conv2d" ? A.convParameters : A.convTransposeParameters;
    return count(p.in_channels, p.out_channels, p.kernel_size, p.bias, p.groups);
  }
  if (p.layer === "Conv2d") {
    const setting = { op: "conv", dims: 2, size: p.size, inChannels: p.in_channels,
                      outChannels: p.out_channels, kernelSize: p.kernel_size, stride: p.stride,
                      padding: p.padding, dilation: p.dilation };
    const checked = A.check(setting);
    assert.ok(checked.ok, JSON.stringify(checked));
    assert.deepEqual(checked.out, [A.convOutputSize(p.size, p.kernel_size, p.stride, p.padding,
                                                    p.dilation), checked.out[0]]);
    return checked.out[0];
  }
  if (p.layer === "MaxPool2d") {
    return A.poolOutputSize(p.size, p.kernel_size, p.stride, p.padding, p.dilation, p.ceil_mode);
  }
  assert.equal(p.layer, "ConvTranspose2d");
  return A.convTransposeOutputSize(p.size, p.kernel_size, p.stride, p.padding, p.output_padding,
                                   p.dilation);
}

function typed(answer) { return Array.isArray(answer) ? answer.join(" ") : String(answer); }

for (const kind of Quiz.DRILLS) {
  test(`drill ${kind}: 300 problems, answers as arithmetic.js computes, judged right`, () => {
    const layers = new Set();
    for (let i = 0; i < 300; i++) {
      const problem = Quiz.generate(kind, 2026, i);
      assert.deepEqual(Quiz.generate(kind, 2026, i), problem, "not reproducible");
      const expected = arithmeticAnswer(problem.params);
      assert.deepEqual(problem.answer, expected, JSON.stringify(problem.params));
      assert.equal(Quiz.judge(problem.key, typed(expected)).status, "right");
      const off = Array.isArray(expected) ? [expected[0] + 1, expected[1]] : expected + 1;
      assert.equal(Quiz.judge(problem.key, typed(off)).status, "wrong");
      for (const text of [problem.text, problem.hint, problem.solution]) {
        assert.doesNotMatch(text, /undefined|NaN|null/, text);
      }
      const said = Array.isArray(expected) ? `${expected[0]} before and ${expected[1]} after`
        : new RegExp(`[=:] ${expected}(\\.| \\()`);
      if (Array.isArray(expected)) assert.ok(problem.solution.includes(said), problem.solution);
      else assert.match(problem.solution, said);
      assert.ok(!problem.hint.includes(problem.solution), "the hint gives the solution away");
      layers.add(problem.params.layer || problem.params.layers.map((l) => l.layer).join());
    }
    if (kind === "output-size") {
      assert.deepEqual([...layers].sort(), ["Conv2d", "ConvTranspose2d", "MaxPool2d"]);
    }
    if (kind === "parameters") {
      assert.deepEqual([...layers].sort(), ["Conv2d", "ConvTranspose2d", "Linear"]);
    }
  });
}

test("the drills' problems vary with the index and the seed", () => {
  for (const kind of Quiz.DRILLS) {
    const texts = new Set(Array.from({ length: 40 }, (_, i) => Quiz.generate(kind, 5, i).text));
    assert.ok(texts.size > 20, `${kind}: only ${texts.size} different problems in 40`);
    assert.notEqual(Quiz.generate(kind, 5, 0).text + Quiz.generate(kind, 5, 1).text,
                    Quiz.generate(kind, 6, 0).text + Quiz.generate(kind, 6, 1).text);
  }
});

test("an output-size solution's arithmetic adds up", () => {
  for (let i = 0; i < 200; i++) {
    const p = Quiz.generate("output-size", 11, i);
    if (p.params.layer !== "Conv2d") continue;
    const { size: n, kernel_size: k, stride: s, padding: pad, dilation: d } = p.params;
    const span = d * (k - 1) + 1;
    assert.ok(p.solution.includes(`= ${span} pixel`), p.solution);
    assert.ok(p.solution.includes(`\u230a${n + 2 * pad - span}/${s}\u230b + 1 = ${p.answer}.`),
              p.solution);
  }
});
