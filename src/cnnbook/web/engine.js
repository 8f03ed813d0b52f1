/* The explorer's engine: everything the convolution explorer draws, computed in plain
 * JavaScript and proven equal to PyTorch (tests/js/engine.test.js, golden cases from
 * scripts/golden_cases.py).
 *
 * compute(setting, x, weight, bias) runs one layer: correlation as nn.Conv computes it
 * ("conv"), true convolution ("convolve", the kernel turned by 180 degrees), transposed
 * convolution ("transpose"), max and average pooling ("max_pool", "avg_pool"), in 1-D or
 * 2-D, with every setting of arithmetic.js's check(). It answers the output, and for every
 * output cell its window: the input cells (and padding cells) it reads, and with which
 * weight; for every input cell, the output cells it reaches. A setting PyTorch refuses, or
 * one beyond the explorer's limits, answers {ok: false, category, reason, torch}.
 *
 * Arrays are flat, in PyTorch's order: x is (C_in, *size), the weight (C_out, C_in/groups,
 * *kernel) for a convolution and (C_in, C_out/groups, *kernel) for a transposed one.
 * Internally a 1-D layer is a 2-D one of height 1.
 */
(function (root, factory) {
  if (typeof module === "object" && module.exports) module.exports = factory(require("./arithmetic.js"));
  else root.CnnbookEngine = factory(root.CnnbookArithmetic);
})(typeof self !== "undefined" ? self : this, function (A) {
  "use strict";

  /** What the explorer draws at most: cells per axis of the input and output, channels,
   * kernel taps per axis (by dimension). */
  var LIMITS = {
    size: { 1: 128, 2: 32 },
    output: { 1: 256, 2: 64 },
    channels: 4,
    kernel: 16,
  };

  var PADDING = -1;   // a tap on the zero padding (or the -inf padding of max pooling)
  var OUTSIDE = -2;   // a tap of a ceil_mode window past the padding: it never counts

  function perAxis(v, dims, fallback) {
    if (v === undefined || v === null) v = fallback;
    if (Array.isArray(v)) return v.slice();
    var out = [];
    for (var i = 0; i < dims; i++) out.push(v);
    return out;
  }

  /** The setting with every per-axis entry as an array of dims numbers, and the defaults
   * filled in (stride defaults to the kernel for pooling). */
  function normalize(setting) {
    var s = Object.assign({}, setting);
    var dims = s.dims, pool = s.op === "max_pool" || s.op === "avg_pool";
    s.size = perAxis(s.size, dims);
    s.kernelSize = perAxis(s.kernelSize, dims);
    s.stride = perAxis(s.stride, dims, pool ? s.kernelSize : 1);
    s.padding = typeof s.padding === "string" ? s.padding : perAxis(s.padding, dims, 0);
    s.dilation = perAxis(s.dilation, dims, 1);
    s.outputPadding = perAxis(s.outputPadding, dims, 0);
    s.inChannels = s.inChannels === undefined ? 1 : s.inChannels;
    s.outChannels = pool ? s.inChannels : (s.outChannels === undefined ? 1 : s.outChannels);
    s.groups = pool || s.groups === undefined ? 1 : s.groups;
    s.paddingMode = s.paddingMode || "zeros";
    s.ceilMode = !!s.ceilMode;
    s.countIncludePad = s.countIncludePad === undefined ? true : !!s.countIncludePad;
    return s;
  }

  function refusal(category, reason, torch) {
    return { ok: false, category: category, reason: reason, torch: torch || null };
  }

  function limitReason(s) {
    var dims = s.dims;
    var most = Math.max.apply(null, s.size);
    if (most > LIMITS.size[dims]) {
      return "The explorer draws inputs of at most " + LIMITS.size[dims] + " cells per axis " +
        "(" + dims + "-D); got " + most + ".";
    }
    var channels = Math.max(s.inChannels, s.outChannels);
    if (channels > LIMITS.channels) {
      return "The explorer draws at most " + LIMITS.channels + " channels; got " + channels + ".";
    }
    if (Math.max.apply(null, s.kernelSize) > LIMITS.kernel) {
      return "The explorer draws kernels of at most " + LIMITS.kernel + " taps per axis.";
    }
    return null;
  }

  // For each cell of the padded canvas (one channel), the input cell it shows: the index
  // r*W + q, or PADDING. Reflect, replicate and circular padding show input cells again.
  function canvasSources(H, W, pads, mode) {
    var top = pads[0][0], left = pads[1][0];
    var Hc = H + pads[0][0] + pads[0][1], Wc = W + pads[1][0] + pads[1][1];
    var src = new Int32Array(Hc * Wc);
    function map(i, n) {
      if (i >= 0 && i < n) return i;
      if (mode === "zeros") return -1;
      if (mode === "replicate") return i < 0 ? 0 : n - 1;
      if (mode === "circular") return ((i % n) + n) % n;
      return i < 0 ? -i : 2 * (n - 1) - i;  // reflect
    }
    for (var pr = 0; pr < Hc; pr++) {
      var r = map(pr - top, H);
      for (var pc = 0; pc < Wc; pc++) {
        var q = map(pc - left, W);
        src[pr * Wc + pc] = r < 0 || q < 0 ? PADDING : r * W + q;
      }
    }
    return { H: Hc, W: Wc, src: src };
  }

  function checkArray(name, a, n) {
    if (!a || typeof a.length !== "number") throw new TypeError(name + " must be an array");
    if (a.length !== n) {
      throw new TypeError(name + " must hold " + n + " numbers for this setting, got " + a.length);
    }
  }

  /** Run one layer. Returns a Result (see the class below) or {ok: false, category, reason,
   * torch} for a setting PyTorch refuses (category from arithmetic.js, torch its words) or
   * beyond LIMITS (category "limit", torch null). */
  function compute(setting, x, weight, bias) {
    var s = normalize(setting);
    var limit = limitReason(s);
    if (limit) return refusal("limit", limit);
    var verdict = A.check(s);
    if (!verdict.ok) return refusal(verdict.category, verdict.reason, verdict.torch);
    var dims = s.dims;
    if (Math.max.apply(null, verdict.out) > LIMITS.output[dims]) {
      return refusal("limit", "The output would have " + Math.max.apply(null, verdict.out) +
                     " cells per axis; the explorer draws at most " + LIMITS.output[dims] + ".");
    }
    return new Result(s, verdict, x, weight, bias);
  }

  function Result(s, verdict, x, weight, bias) {
    var two = s.dims === 2;
    this.ok = true;
    this.setting = s;
    this.dims = s.dims;
    var H = two ? s.size[0] : 1, W = s.size[s.dims - 1];
    var Ho = two ? verdict.out[0] : 1, Wo = verdict.out[s.dims - 1];
    var C = s.inChannels, Co = verdict.outChannels;
    this.inShape = [C, H, W];
    this.outShape = [Co, Ho, Wo];
    this.shape = [Co].concat(verdict.out);  // torch's shape of one example
    this.kernel = [two ? s.kernelSize[0] : 1, s.kernelSize[s.dims - 1]];
    this.stride = [two ? s.stride[0] : 1, s.stride[s.dims - 1]];
    this.dilation = [two ? s.dilation[0] : 1, s.dilation[s.dims - 1]];
    this.pads = two ? verdict.pads : [[0, 0], verdict.pads[0]];
    checkArray("x", x, C * H * W);
    this.x = Float64Array.from(x);
    var pool = s.op === "max_pool" || s.op === "avg_pool";
    this.weightShape = null;
    if (!pool) {
      var first = s.op === "transpose" ? C : Co;
      var second = s.op === "transpose" ? Co / s.groups : C / s.groups;
      this.weightShape = [first, second].concat(s.kernelSize);
      checkArray("weight", weight, first * second * this.kernel[0] * this.kernel[1]);
      this.weight = Float64Array.from(weight);
      if (bias !== undefined && bias !== null) checkArray("bias", bias, Co);
    }
    this.bias = !pool && bias ? Float64Array.from(bias) : null;
    this.canvas = s.op === "transpose" ? null : canvasSources(H, W, this.pads, s.paddingMode);
    this._reach = null;
    this.out = s.op === "conv" || s.op === "convolve" ? this.convolve() : new Float64Array(Co * Ho * Wo);
    if (!(s.op === "conv" || s.op === "convolve")) {
      for (var o = 0; o < this.out.length; o++) this.out[o] = this.value(o);
    }
  }

  /** Every output of a convolution at once: the sum over each window's taps, as value()
   * computes it from taps() one cell at a time, without building the taps (the explorer
   * redraws a 32 x 32 input within a frame). */
  Result.prototype.convolve = function () {
    var s = this.setting, x = this.x, w = this.weight, canvas = this.canvas;
    var Co = this.outShape[0], Ho = this.outShape[1], Wo = this.outShape[2];
    var HW = this.inShape[1] * this.inShape[2], Cg = this.inShape[0] / s.groups;
    var perGroup = Co / s.groups, kh = this.kernel[0], kw = this.kernel[1];
    var sh = this.stride[0], sw = this.stride[1], dh = this.dilation[0], dw = this.dilation[1];
    var turned = s.op === "convolve", Wc = canvas.W, src = canvas.src;
    var out = new Float64Array(Co * Ho * Wo), n = 0;
    for (var oc = 0; oc < Co; oc++) {
      var first = Math.floor(oc / perGroup) * Cg, b = this.bias ? this.bias[oc] : 0;
      for (var i = 0; i < Ho; i++) {
        for (var j = 0; j < Wo; j++, n++) {
          var total = 0;
          for (var cg = 0; cg < Cg; cg++) {
            var base = (first + cg) * HW, wbase = (oc * Cg + cg) * kh * kw;
            for (var u = 0; u < kh; u++) {
              var row = (i * sh + u * dh) * Wc + j * sw, wu = turned ? kh - 1 - u : u;
              for (var v = 0; v < kw; v++) {
                var at = src[row + v * dw];
                if (at >= 0) total += x[base + at] * w[wbase + wu * kw + (turned ? kw - 1 - v : v)];
              }
            }
          }
          out[n] = this.bias ? total + b : total;
        }
      }
    }
    return out;
  };

  /** Output cell o (a flat index) as [channel, row, column] (row 0 in 1-D). */
  Result.prototype.cell = function (o) {
    var Ho = this.outShape[1], Wo = this.outShape[2];
    return [Math.floor(o / (Ho * Wo)), Math.floor(o / Wo) % Ho, o % Wo];
  };

  /** Input cell i (a flat index) as [channel, row, column]. */
  Result.prototype.inputCell = function (i) {
    var H = this.inShape[1], W = this.inShape[2];
    return [Math.floor(i / (H * W)), Math.floor(i / W) % H, i % W];
  };

  /** The window of output cell o: one tap per (input channel, kernel row, kernel column) it
   * combines, as {c, u, v, src, row, col, w}: src is the flat input index it reads (PADDING
   * on zero padding, OUTSIDE past it), row/col its cell on the padded canvas (on the input
   * for a transposed convolution), w the flat weight index (-1 for pooling). A transposed
   * convolution lists only the taps that land on an input cell. */
  Result.prototype.taps = function (o) {
    var s = this.setting, cell = this.cell(o), oc = cell[0], i = cell[1], j = cell[2];
    var kh = this.kernel[0], kw = this.kernel[1], sh = this.stride[0], sw = this.stride[1];
    var dh = this.dilation[0], dw = this.dilation[1];
    var H = this.inShape[1], W = this.inShape[2], HW = H * W;
    var taps = [], u, v, c, cg;
    if (s.op === "transpose") {
      var Cig = this.inShape[0] / s.groups, Cog = this.outShape[0] / s.groups;
      var g = Math.floor(oc / Cog), og = oc - g * Cog;
      for (cg = 0; cg < Cig; cg++) {
        c = g * Cig + cg;
        for (u = 0; u < kh; u++) {
          var t = i + this.pads[0][0] - u * dh;
          if (t < 0 || t % sh) continue;
          var r = t / sh;
          if (r >= H) continue;
          for (v = 0; v < kw; v++) {
            var tt = j + this.pads[1][0] - v * dw;
            if (tt < 0 || tt % sw) continue;
            var q = tt / sw;
            if (q >= W) continue;
            taps.push({ c: c, u: u, v: v, src: c * HW + r * W + q, row: r, col: q,
                        w: ((c * Cog + og) * kh + u) * kw + v });
          }
        }
      }
      return taps;
    }
    var canvas = this.canvas, pool = !this.weightShape;
    var Cg = pool ? 1 : this.inShape[0] / s.groups;
    var first = pool ? oc : Math.floor(oc / (this.outShape[0] / s.groups)) * Cg;
    var turned = s.op === "convolve";
    for (cg = 0; cg < Cg; cg++) {
      c = first + cg;
      for (u = 0; u < kh; u++) {
        var pr = i * sh + u * dh;
        for (v = 0; v < kw; v++) {
          var pc = j * sw + v * dw;
          var src = pr < canvas.H && pc < canvas.W ? canvas.src[pr * canvas.W + pc] : OUTSIDE;
          var wu = turned ? kh - 1 - u : u, wv = turned ? kw - 1 - v : v;
          taps.push({ c: c, u: u, v: v, src: src >= 0 ? c * HW + src : src, row: pr, col: pc,
                      w: pool ? -1 : ((oc * Cg + cg) * kh + wu) * kw + wv });
        }
      }
    }
    return taps;
  };

  /** The divisor of average pooling at output cell o, PyTorch's rule: the window's cells on
   * the input and (countIncludePad) its padding, never those past the padding. */
  Result.prototype.divisor = function (o) {
    var s = this.setting, cell = this.cell(o), n = 1;
    for (var a = 0; a < 2; a++) {
      var size = this.inShape[a + 1], p = this.pads[a][0], k = this.kernel[a];
      var start = cell[a + 1] * this.stride[a] - p;
      var end = Math.min(start + k, size + p);
      var span = end - start;
      var inside = Math.min(end, size) - Math.max(start, 0);
      n *= s.countIncludePad ? span : inside;
    }
    return n;
  };

  /** Output cell o's value, from its taps. */
  Result.prototype.value = function (o) {
    var taps = this.taps(o), op = this.setting.op, k;
    if (op === "max_pool") {
      var best = -Infinity;
      for (k = 0; k < taps.length; k++) {
        if (taps[k].src >= 0 && this.x[taps[k].src] > best) best = this.x[taps[k].src];
      }
      return best;
    }
    var total = 0;
    for (k = 0; k < taps.length; k++) {
      if (taps[k].src < 0) continue;
      total += op === "avg_pool" ? this.x[taps[k].src] : this.x[taps[k].src] * this.weight[taps[k].w];
    }
    if (op === "avg_pool") return total / this.divisor(o);
    return this.bias ? total + this.bias[this.cell(o)[0]] : total;
  };

  /** The max-pooling winner of output cell o: the index into taps(o) of the first largest
   * input value in reading order (PyTorch's tie rule), or -1 when the window sees only
   * padding. */
  Result.prototype.winner = function (o) {
    var taps = this.taps(o), best = -1;
    for (var k = 0; k < taps.length; k++) {
      if (taps[k].src >= 0 && (best < 0 || this.x[taps[k].src] > this.x[taps[best].src])) best = k;
    }
    return best;
  };

  /** The receptive field of output cell o through this layer: the flat input indices that
   * reach it (through padding copies too), sorted. */
  Result.prototype.field = function (o) {
    var seen = {}, out = [];
    this.taps(o).forEach(function (t) {
      if (t.src >= 0 && !seen[t.src]) { seen[t.src] = true; out.push(t.src); }
    });
    return out.sort(function (a, b) { return a - b; });
  };

  /** Every output cell that input cell i reaches, sorted (computed once for all cells). */
  Result.prototype.reach = function (i) {
    if (!this._reach) {
      var reach = [];
      for (var n = 0; n < this.x.length; n++) reach.push([]);
      for (var o = 0; o < this.out.length; o++) {
        var f = this.field(o);
        for (var k = 0; k < f.length; k++) reach[f[k]].push(o);
      }
      this._reach = reach;
    }
    return this._reach[i];
  };

  // --- words and code for the current setting ----------------------------------------

  var MINUS = "\u2212", DOT = "\u00b7";

  function axisNames(dims) { return dims === 2 ? ["H", "W"] : ["L"]; }

  /** The output-size formula of each axis with the reader's numbers in it, e.g.
   * "H_out = \u230a(5 + 2\u00b71 \u2212 1\u00b7(3 \u2212 1) \u2212 1)/2\u230b + 1 = 3". */
  function sizeFormulas(result) {
    var s = result.setting, lines = [];
    axisNames(s.dims).forEach(function (name, a) {
      var n = s.size[a], k = s.kernelSize[a], st = s.stride[a], d = s.dilation[a];
      var out = result.shape[a + 1];
      var pads = result.pads[s.dims === 2 ? a : 1];
      var line;
      if (s.op === "transpose") {
        line = name + "_out = (" + n + " " + MINUS + " 1)" + DOT + st + " " + MINUS + " 2" + DOT +
          pads[0] + " + " + d + DOT + "(" + k + " " + MINUS + " 1) + " + s.outputPadding[a] +
          " + 1 = " + out;
      } else {
        var padText = pads[0] === pads[1] ? "2" + DOT + pads[0] : pads[0] + " + " + pads[1];
        var inner = "(" + n + " + " + padText + " " + MINUS + " " + d + DOT + "(" + k + " " +
          MINUS + " 1) " + MINUS + " 1)/" + st;
        var ceil = s.ceilMode && (s.op === "max_pool" || s.op === "avg_pool");
        line = name + "_out = " + (ceil ? "\u2308" + inner + "\u2309" : "\u230a" + inner + "\u230b") +
          " + 1";
        if (ceil) {
          var room = n + 2 * pads[0] - d * (k - 1) - 1;
          var rounded = Math.floor((room + st - 1) / st) + 1;
          if (rounded !== out) line += " " + MINUS + " 1";
        }
        line += " = " + out;
      }
      lines.push(line);
    });
    return lines;
  }

  /** Why a ceil_mode line subtracts 1, when it does: the window PyTorch drops. */
  function ceilNote(result) {
    var s = result.setting;
    if (!s.ceilMode || (s.op !== "max_pool" && s.op !== "avg_pool")) return "";
    var notes = [];
    axisNames(s.dims).forEach(function (name, a) {
      var n = s.size[a], k = s.kernelSize[a], st = s.stride[a], d = s.dilation[a];
      var p = result.pads[s.dims === 2 ? a : 1][0];
      var rounded = Math.floor((n + 2 * p - d * (k - 1) - 1 + st - 1) / st) + 1;
      if (rounded !== result.shape[a + 1]) {
        notes.push("the last " + name + " window would start in the right padding, " +
                   "so PyTorch drops it");
      }
    });
    return notes.join("; ");
  }

  function tupleText(v) {
    if (v.every(function (e) { return e === v[0]; })) return String(v[0]);
    return "(" + v.join(", ") + ")";
  }

  var LAYER = { conv: "Conv", convolve: "Conv", transpose: "ConvTranspose",
                max_pool: "MaxPool", avg_pool: "AvgPool" };

  /** The nn layer of the setting as Python source, e.g. nn.Conv2d(2, 4, kernel_size=3, ...). */
  function layerCode(setting) {
    var s = normalize(setting), args = [];
    var name = "nn." + LAYER[s.op] + s.dims + "d";
    var pool = s.op === "max_pool" || s.op === "avg_pool";
    if (!pool) args.push(String(s.inChannels), String(s.outChannels));
    args.push("kernel_size=" + tupleText(s.kernelSize));
    var defaultStride = pool ? s.kernelSize : s.kernelSize.map(function () { return 1; });
    if (tupleText(s.stride) !== tupleText(defaultStride)) args.push("stride=" + tupleText(s.stride));
    if (typeof s.padding === "string") args.push('padding="' + s.padding + '"');
    else if (s.padding.some(Boolean)) args.push("padding=" + tupleText(s.padding));
    if (s.op === "transpose" && s.outputPadding.some(Boolean)) {
      args.push("output_padding=" + tupleText(s.outputPadding));
    }
    if (s.op !== "avg_pool" && s.dilation.some(function (d) { return d !== 1; })) {
      args.push("dilation=" + tupleText(s.dilation));
    }
    if (!pool && s.groups !== 1) args.push("groups=" + s.groups);
    if (!pool && s.paddingMode !== "zeros") args.push('padding_mode="' + s.paddingMode + '"');
    if (pool && s.ceilMode) args.push("ceil_mode=True");
    if (s.op === "avg_pool" && !s.countIncludePad) args.push("count_include_pad=False");
    if (!pool) args.push("bias=" + (setting.bias ? "True" : "False"));
    return name + "(" + args.join(", ") + ")";
  }

  /** Python that builds the layer, runs it on a random input of the setting's shape and
   * prints the output shape; runnable as is. For a setting PyTorch refuses, the last
   * comment says what it raises. */
  function torchCode(setting, result) {
    var s = normalize(setting);
    var shape = [1, s.inChannels].concat(s.size);
    var lines = ["import torch", "from torch import nn", ""];
    lines.push("layer = " + layerCode(setting));
    if (s.op === "convolve") {
      lines.push("with torch.no_grad():  # a true convolution: the kernel turned by 180\u00b0");
      lines.push("    layer.weight.copy_(layer.weight.flip(" +
                 (s.dims === 2 ? "-2, -1" : "-1") + "))");
    }
    lines.push("x = torch.randn(" + shape.join(", ") + ")  # (N, C_in, " +
               axisNames(s.dims).join(", ") + ")");
    var shown = result && result.ok
      ? "  # torch.Size([" + [1].concat(result.shape).join(", ") + "])"
      : result && result.torch ? "  # PyTorch refuses: " + result.torch
        : "";
    lines.push("print(layer(x).shape)" + shown);
    return lines.join("\n") + "\n";
  }

  /** A number as the book's cells write it: integers as 3, others with at most two
   * decimals, a true minus sign, and infinities as \u221e (cnnbook.viz.grid.format_value). */
  function formatValue(v) {
    if (v === (v | 0)) return v < 0 ? MINUS + -v : String(v);  // the common case, fast
    if (isNaN(v)) return "";
    if (!isFinite(v)) return v > 0 ? "\u221e" : MINUS + "\u221e";
    var text;
    if (v === Math.round(v) && Math.abs(v) < 1e6) text = String(Math.round(v));
    else {
      var digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2;
      text = v.toFixed(digits);
      if (text.indexOf(".") >= 0) text = text.replace(/0+$/, "").replace(/\.$/, "");
    }
    if (/^-0(\.0*)?$/.test(text)) text = "0";
    return text.replace("-", MINUS);
  }

  /** The arithmetic of output cell o written out: "1\u00b72 + 3\u00b7(\u22121) = \u22121",
   * "max(1, 4, 2) = 4", "(1 + 4 + 2 + 0)/4 = 1.75"; padding shows as its value. */
  function stepText(result, o) {
    var op = result.setting.op, taps = result.taps(o), x = result.x;
    function term(v) { var t = formatValue(v); return t.charAt(0) === MINUS ? "(" + t + ")" : t; }
    function val(t) { return t.src >= 0 ? x[t.src] : t.src === PADDING && op !== "max_pool" ? 0 : null; }
    var value = formatValue(result.out[o]);
    if (op === "max_pool") {
      var seen = taps.map(val).filter(function (v) { return v !== null; });
      return "max(" + (seen.length ? seen.map(formatValue).join(", ") : MINUS + "\u221e") +
        ") = " + value;
    }
    if (op === "avg_pool") {
      var parts = taps.filter(function (t) { return t.src !== OUTSIDE; }).map(val).map(term);
      return "(" + parts.join(" + ") + ")/" + result.divisor(o) + " = " + value;
    }
    var products = taps.map(function (t) { return term(val(t)) + DOT + term(result.weight[t.w]); });
    if (result.bias) products.push(term(result.bias[result.cell(o)[0]]));
    return (products.length ? products.join(" + ") : "0") + " = " + value;
  }

  return {
    LIMITS: LIMITS,
    OUTSIDE: OUTSIDE,
    PADDING: PADDING,
    Result: Result,
    ceilNote: ceilNote,
    compute: compute,
    formatValue: formatValue,
    layerCode: layerCode,
    normalize: normalize,
    sizeFormulas: sizeFormulas,
    stepText: stepText,
    torchCode: torchCode,
  };
});
