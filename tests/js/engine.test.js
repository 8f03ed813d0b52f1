/* engine.js against PyTorch: every golden case's output (1e-9) and shape, the receptive
 * fields both ways, and every refusal. */
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { decode, loadGolden, web } = require("./golden.js");

const E = web("engine.js");
const golden = loadGolden();

function run(c) {
  return E.compute(c.setting, c.x, c.weight, c.bias);
}

function close(a, b) {
  if (!isFinite(a) || !isFinite(b)) return a === b;
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
}

test("outputs and shapes equal torch's on every accepted case", () => {
  const wrong = [];
  let checked = 0;
  for (const c of golden.cases) {
    if (!c.torch.ok) continue;
    const r = run(c);
    if (!r.ok) { wrong.push(`${c.name}: refused (${r.reason})`); continue; }
    if (JSON.stringify(r.shape) !== JSON.stringify(c.torch.shape)) {
      wrong.push(`${c.name}: shape ${r.shape} != ${c.torch.shape}`);
      continue;
    }
    const expected = c.torch.out.map(decode);
    const bad = expected.findIndex((v, i) => !close(r.out[i], v));
    if (bad >= 0 || r.out.length !== expected.length) {
      wrong.push(`${c.name}: out[${bad}] = ${r.out[bad]}, torch ${expected[bad]}`);
    }
    checked++;
  }
  assert.deepEqual(wrong, []);
  assert.ok(checked >= 400, `${checked} accepted cases`);
});

test("every refused case is refused, for torch's kind of reason", () => {
  const wrong = [];
  for (const c of golden.cases) {
    if (c.torch.ok) continue;
    const r = run(c);
    if (r.ok || r.category !== c.torch.category) {
      wrong.push(`${c.name}: ${r.ok ? "computed" : r.category}; torch: ${c.torch.error}`);
    }
    if (!r.ok) assert.ok(r.reason.length > 20 && r.reason.includes("PyTorch"), r.reason);
  }
  assert.deepEqual(wrong, []);
});

test("receptive fields both ways equal what a one-hot batch through torch reaches", () => {
  const wrong = [];
  let checked = 0;
  for (const c of golden.cases) {
    if (!c.torch.ok || !c.torch.fields) continue;
    const r = run(c);
    for (const [o, cells] of Object.entries(c.torch.fields)) {
      if (JSON.stringify(r.field(Number(o))) !== JSON.stringify(cells)) {
        wrong.push(`${c.name}: field of output ${o}: ${r.field(Number(o))} != ${cells}`);
      }
    }
    for (const [i, outs] of Object.entries(c.torch.reaches)) {
      if (JSON.stringify(r.reach(Number(i))) !== JSON.stringify(outs)) {
        wrong.push(`${c.name}: reach of input ${i}: ${r.reach(Number(i))} != ${outs}`);
      }
    }
    checked++;
  }
  assert.deepEqual(wrong, []);
  assert.ok(checked >= 300, `${checked} cases with fields`);
});

test("every output is what value() computes from the cell's own taps", () => {
  for (const c of golden.cases.filter((k) => k.torch.ok).slice(0, 400)) {
    const r = run(c);
    for (let o = 0; o < r.out.length; o++) {
      assert.ok(close(r.value(o), r.out[o]), `${c.name}: output ${o}`);
    }
  }
});

test("the golden cases cover every operation, both dimensions and the named edge cases", () => {
  const names = golden.cases.map((c) => c.name);
  for (const op of ["conv", "convolve", "transpose", "max_pool", "avg_pool"]) {
    for (const dims of [1, 2]) {
      const n = golden.cases.filter((c) => c.setting.op === op && c.setting.dims === dims &&
                                           c.torch.ok).length;
      assert.ok(n >= 20, `${op} ${dims}-D: ${n} accepted cases`);
    }
  }
  for (const words of ["kernel as large as the padded input", "stride larger than the kernel",
                       "same, even kernel", "dilation 2 padding 2", "largest output_padding",
                       "drops the window in the right padding", "groups 4, 4 -> 4",
                       "same with stride 2", "output_padding too large", "stride 0"]) {
    assert.ok(names.some((n) => n.includes(words)), words);
  }
});

test("a taps' products add up to the output, and the turned kernel is the convolution's", () => {
  const x = [1, 2, 3, 4, 5, 6, 7, 8, 9];
  const w = [1, 0, -1, 2];
  const base = { dims: 2, size: 3, kernelSize: 2, inChannels: 1, outChannels: 1 };
  const corr = E.compute({ ...base, op: "conv" }, x, w);
  const conv = E.compute({ ...base, op: "convolve" }, x, w);
  const turned = E.compute({ ...base, op: "conv" }, x, [...w].reverse());
  assert.deepEqual([...conv.out], [...turned.out]);
  assert.notDeepEqual([...conv.out], [...corr.out]);
  const taps = corr.taps(0);
  assert.equal(taps.reduce((s, t) => s + x[t.src] * w[t.w], 0), corr.out[0]);
  assert.equal(E.stepText(corr, 0), "1\u00b71 + 2\u00b70 + 4\u00b7(\u22121) + 5\u00b72 = 7");
});

test("padding cells are marked, and reflect padding reads input cells again", () => {
  const x = [1, 2, 3];
  const zeros = E.compute({ op: "conv", dims: 1, size: 3, kernelSize: 3, padding: 1 }, x,
                          [1, 1, 1]);
  assert.equal(zeros.taps(0)[0].src, E.PADDING);
  const reflect = E.compute({ op: "conv", dims: 1, size: 3, kernelSize: 3, padding: 1,
                              paddingMode: "reflect" }, x, [1, 1, 1]);
  assert.deepEqual(reflect.taps(0).map((t) => t.src), [1, 0, 1]);
  assert.deepEqual(reflect.field(0), [0, 1]);
  assert.deepEqual(reflect.reach(1), [0, 1, 2]);
  const pool = E.compute({ op: "max_pool", dims: 1, size: 5, kernelSize: 2, padding: 1,
                          ceilMode: true }, [5, 1, 2, 8, 3], null);
  assert.deepEqual([...pool.out], [5, 2, 8]);
  assert.equal(pool.winner(2), 0);
  assert.equal(E.stepText(pool, 0), "max(5) = 5");
});

test("settings beyond the limits are refused with a reason, never computed", () => {
  const big = E.compute({ op: "conv", dims: 2, size: 33, kernelSize: 3 }, new Array(33 * 33)
    .fill(0), new Array(9).fill(0));
  assert.equal(big.ok, false);
  assert.equal(big.category, "limit");
  const wide = E.compute({ op: "transpose", dims: 2, size: 32, kernelSize: 3, stride: 4 },
                         new Array(32 * 32).fill(0), new Array(9).fill(0));
  assert.equal(wide.category, "limit");
  assert.throws(() => E.compute({ op: "conv", dims: 1, size: 4, kernelSize: 2 }, [1, 2], [1, 1]),
                TypeError);
});

test("formulas and code carry the reader's numbers", () => {
  const s = { op: "max_pool", dims: 1, size: 5, kernelSize: 2, padding: 1, ceilMode: true };
  const r = E.compute(s, [1, 2, 3, 4, 5]);
  assert.deepEqual(E.sizeFormulas(r),
                   ["L_out = \u2308(5 + 2\u00b71 \u2212 1\u00b7(2 \u2212 1) \u2212 1)/2\u2309 + 1 " +
                    "\u2212 1 = 3"]);
  assert.match(E.ceilNote(r), /right padding/);
  const conv = { op: "conv", dims: 2, size: [7, 8], kernelSize: 3, stride: 2, padding: 1,
                 inChannels: 2, outChannels: 4, groups: 2, paddingMode: "reflect" };
  const code = E.torchCode(conv, E.compute(conv, new Array(112).fill(1), new Array(36).fill(1)));
  assert.match(code, /nn\.Conv2d\(2, 4, kernel_size=3, stride=2, padding=1, groups=2, /);
  assert.match(code, /torch\.randn\(1, 2, 7, 8\)/);
  assert.match(code, /# torch\.Size\(\[1, 4, 4, 4\]\)/);
  assert.equal(E.formatValue(-0.004), "0");
  assert.equal(E.formatValue(12.345), "12.3");
  assert.equal(E.formatValue(-Infinity), "\u2212\u221e");
});
