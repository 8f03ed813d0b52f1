/* arithmetic.js against PyTorch: the output shape of every golden case, the refusals with
 * the same kind of reason, parameter counts and receptive fields. */
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { loadGolden, web } = require("./golden.js");

const A = web("arithmetic.js");
const golden = loadGolden();

test("the golden file holds at least 500 layer settings, some refused", () => {
  assert.ok(golden.cases.length >= 500, `${golden.cases.length} cases`);
  assert.ok(golden.cases.filter((c) => !c.torch.ok).length >= 50);
});

test("check() accepts what torch accepts, with torch's output shape", () => {
  const wrong = [];
  for (const c of golden.cases) {
    const got = A.check(c.setting);
    if (c.torch.ok) {
      const shape = got.ok ? [got.outChannels, ...got.out] : got;
      if (JSON.stringify(shape) !== JSON.stringify(c.torch.shape)) {
        wrong.push(`${c.name}: ${JSON.stringify(shape)} != torch ${JSON.stringify(c.torch.shape)}`);
      }
    }
  }
  assert.deepEqual(wrong, []);
});

test("check() refuses what torch refuses, for the same kind of reason", () => {
  const wrong = [];
  for (const c of golden.cases) {
    if (c.torch.ok) continue;
    const got = A.check(c.setting);
    if (got.ok || got.category !== c.torch.category) {
      wrong.push(`${c.name}: ${got.ok ? "accepted" : got.category} but torch: ${c.torch.error}`);
    } else {
      assert.ok(got.reason.includes(got.torch), got.reason);
      if (got.category !== "non-positive") assert.equal(got.torch, A.CATEGORIES[got.category]);
    }
  }
  assert.deepEqual(wrong, []);
});

test("every refusal category of arithmetic.js occurs in the golden cases", () => {
  const seen = new Set(golden.cases.filter((c) => !c.torch.ok).map((c) => c.torch.category));
  assert.deepEqual([...Object.keys(A.CATEGORIES)].filter((k) => !seen.has(k)), []);
});

test("the size functions agree with check() on every accepted 1-D case", () => {
  for (const c of golden.cases) {
    const s = c.setting;
    if (!c.torch.ok || s.dims !== 1) continue;
    const n = c.torch.shape[1];
    if (s.op === "conv" || s.op === "convolve") {
      assert.equal(A.convOutputSize(s.size, s.kernelSize, s.stride, s.padding, s.dilation), n);
    } else if (s.op === "transpose") {
      assert.equal(A.convTransposeOutputSize(s.size, s.kernelSize, s.stride, s.padding,
                                             s.outputPadding, s.dilation), n);
    } else {
      assert.equal(A.poolOutputSize(s.size, s.kernelSize, s.stride, s.padding, s.dilation,
                                    s.ceilMode), n, c.name);
    }
  }
});

test("size functions answer arrays per axis and refuse with a Refusal", () => {
  assert.deepEqual(A.convOutputSize([28, 9], [5, 3], [1, 2], [2, 0]), [28, 4]);
  assert.deepEqual(A.convOutputSize([7, 8], 4, 1, "same"), [7, 8]);
  assert.deepEqual(A.samePadding(4), [1, 2]);
  assert.deepEqual(A.samePadding([3, 4], 1, [1, 3]), [[1, 1], [4, 5]]);
  assert.equal(A.effectiveKernelSize(3, 4), 9);
  assert.throws(() => A.convOutputSize(3, 5), { name: "Refusal", category: "kernel-too-large" });
  assert.throws(() => A.samePadding(3, 2), { category: "same-strided" });
  assert.throws(() => A.convOutputSize(5, 3, 0), { category: "non-positive" });
  assert.throws(() => A.convTransposeOutputSize(4, 3, 2, 0, 2), { category: "output-padding" });
  assert.throws(() => A.poolOutputSize(5, 3, 1, 2), { category: "pool-padding" });
  assert.throws(() => A.convOutputSize(5, 2.5), TypeError);
});

test("parameter counts equal sum(p.numel()) of the torch layer", () => {
  for (const c of golden.parameters) {
    let got;
    if (c.layer === "Linear") got = A.linearParameters(c.inFeatures, c.outFeatures, c.bias);
    else {
      const fn = c.layer === "Conv" ? A.convParameters : A.convTransposeParameters;
      got = fn(c.inChannels, c.outChannels, c.kernelSize, c.bias, c.groups);
    }
    assert.equal(got, c.count, JSON.stringify(c));
  }
  assert.throws(() => A.convParameters(3, 4, 3, true, 2), { category: "groups-in" });
});

test("receptive fields equal what autograd measures on the torch stack", () => {
  assert.ok(golden.receptive.length >= 20);
  for (const c of golden.receptive) {
    const rf = A.receptiveField(c.layers);
    assert.deepEqual([rf.size, rf.jump, rf.start], [c.size, c.jump, c.start], JSON.stringify(c));
    assert.equal(rf.layers.length, c.layers.length);
  }
  const named = A.receptiveField([{ kernelSize: 3, padding: 1 }, { kernelSize: 3, stride: 2 }]);
  assert.equal(named.size, 5);
});
