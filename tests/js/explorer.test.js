/* The explorer's model: the state it keeps, the setting it hands the engine, and the arrays
 * it draws (seeded, the page's example, MNIST digits, the reader's edits). */
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { web } = require("./golden.js");

const X = web("explorer.js");
const E = web("engine.js");

function state(extra) {
  return { op: "conv", dims: 2, size: [5, 6], inChannels: 2, outChannels: 4, groups: 2,
           kernelSize: [3, 2], stride: [2, 1], padKind: "numbers", padding: [1, 0],
           dilation: [1, 2], paddingMode: "zeros", outputPadding: [0, 0], ceilMode: false,
           countIncludePad: true, source: "random", seed: 3, digit: 0, edits: {}, ...extra };
}

test("the seeded generator repeats itself for a seed and differs between seeds", () => {
  const a = X.generator(7), b = X.generator(7), c = X.generator(8);
  const first = [a(), a(), a()];
  assert.deepEqual(first, [b(), b(), b()]);
  assert.notDeepEqual(first, [c(), c(), c()]);
  assert.ok(first.every((v) => v >= 0 && v < 1));
  const block = X.randomBlock("x", 3);
  assert.ok(block.every((v) => v >= 0 && v <= 4));
  assert.ok(X.randomBlock("w", 3).every((v) => v >= -2 && v <= 2));
  assert.notDeepEqual([...X.randomBlock("x", 4).slice(0, 20)], [...block.slice(0, 20)]);
});

test("the setting takes both axes in 2-D, the second in 1-D, and the padding kind", () => {
  const s = X.settingOf(state());
  assert.deepEqual([s.size, s.kernelSize, s.stride, s.padding, s.dilation],
                   [[5, 6], [3, 2], [2, 1], [1, 0], [1, 2]]);
  const one = X.settingOf(state({ dims: 1, padKind: "same" }));
  assert.deepEqual([one.size, one.kernelSize, one.padding], [[6], [2], "same"]);
  assert.deepEqual(X.settingOf(state({ op: "avg_pool" })).dilation, [1, 1]);
});

test("arrays have the engine's shapes and stay the same when the size grows", () => {
  const st = state();
  const small = X.arraysOf(st, null, null);
  assert.equal(small.x.length, 2 * 5 * 6);
  assert.equal(small.weight.length, 4 * 1 * 3 * 2);
  const r = E.compute(X.settingOf(st), small.x, small.weight, small.bias);
  assert.ok(r.ok, r.reason);
  const big = X.arraysOf(state({ size: [7, 8] }), null, null);
  assert.equal(big.x[8 + 1], small.x[6 + 1]);  // cell (1, 1) of channel 0 keeps its value
  const t = X.arraysOf(state({ op: "transpose" }), null, null);
  assert.equal(t.weight.length, 2 * 2 * 3 * 2);  // (C_in, C_out / groups, k_h, k_w)
  assert.equal(X.arraysOf(state({ op: "max_pool" }), null, null).weight, null);
});

test("the page's example fills the cells it has, edits win over every source", () => {
  const example = { op: "conv", dims: 2, xShape: [1, 2, 2], x: [1, 2, 3, 4],
                    wShape: [1, 1, 1, 1], weight: [9], bias: [0.5] };
  const st = state({ source: "example", inChannels: 1, outChannels: 1, groups: 1,
                     size: [3, 3], kernelSize: [1, 1], edits: { "x0,0,1": -7 } });
  const a = X.arraysOf(st, example, null);
  assert.deepEqual([a.x[0], a.x[1], a.x[3], a.x[4]], [1, -7, 3, 4]);
  assert.equal(a.weight[0], 9);
  assert.deepEqual(a.bias, [0.5]);
  const transposed = X.arraysOf({ ...st, op: "transpose" }, example, null);
  assert.notEqual(transposed.bias, null);  // the same bias, out channels still 1
});

test("MNIST digits are centred in the input and scaled to [0, 1]", () => {
  const side = 4, pixels = new Uint8Array(2 * side * side);
  pixels[1 * side + 2] = 255;  // digit 0, row 1, column 2
  pixels[side * side + 0] = 51;  // digit 1, row 0, column 0
  const digits = { count: 2, side: side, pixels: pixels };
  const st = state({ source: "digit", inChannels: 2, size: [2, 2], digit: 0 });
  const a = X.arraysOf(st, null, digits);
  assert.equal(a.x[0 * 2 + 1], 1);  // channel 0 sees digit 0 cropped to rows/cols 1..2
  assert.equal(a.x.slice(4).reduce((s, v) => s + v, 0), 0);  // digit 1's pixel is cropped
  const full = X.arraysOf(state({ source: "digit", inChannels: 2, size: [4, 4] }), null, digits);
  assert.equal(full.x[16], 0.2);
});
