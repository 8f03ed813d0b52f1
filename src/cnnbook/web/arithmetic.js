/* Convolution arithmetic for the book's widgets: output sizes, "same" padding, parameter
 * counts, receptive fields, and PyTorch's validity rules with the reason it gives when it
 * refuses a setting. The JavaScript twin of cnnbook.ops.arithmetic, tested against torch
 * (tests/js/arithmetic.test.js, golden cases from scripts/golden_cases.py).
 *
 * A classic script: in the page it defines window.CnnbookArithmetic, in node it is a module.
 * Size functions take numbers, or arrays (one entry per axis) and answer in kind. A setting
 * PyTorch refuses throws a Refusal (an Error with .category, .reason and .torch: the
 * category is one of CATEGORIES, the reason says why in words, torch quotes PyTorch).
 */
(function (root, factory) {
  if (typeof module === "object" && module.exports) module.exports = factory();
  else root.CnnbookArithmetic = factory();
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  // Why PyTorch refuses, and the words of its message (torch 2.x) for each kind of refusal.
  var CATEGORIES = {
    "non-positive": "a size, stride or dilation below 1, or a negative padding",
    "kernel-too-large": "Kernel size can't be greater than actual input size",
    "output-too-small": "Output size is too small",
    "same-strided": "padding='same' is not supported for strided convolutions",
    "padding-string": "padding must be numbers here ('valid' and 'same' are for convolutions)",
    "groups-in": "in_channels must be divisible by groups",
    "groups-out": "out_channels must be divisible by groups",
    "padding-mode": 'Only "zeros" padding mode is supported for ConvTranspose',
    "reflect-too-large":
      "Padding size should be less than the corresponding input dimension",
    "circular-too-large": "Padding value causes wrapping around more than once.",
    "pool-padding": "pad should be at most half of kernel size",
    "output-padding": "output padding must be smaller than either stride or dilation",
    "no-dilation": "avg_pool has no dilation argument",
  };

  // PyTorch's words for a value below its minimum, by argument.
  var BELOW = {
    stride: "non-positive stride is not supported",
    padding: "negative padding is not supported",
    dilation: "dilation should be greater than zero",
    kernel_size: "kernel size should be greater than zero",
    output_padding: "negative output_padding is not supported",
  };

  function Refusal(category, reason, torch) {
    var error = new Error(reason);
    error.name = "Refusal";
    error.category = category;
    error.reason = reason;
    error.torch = torch || CATEGORIES[category];
    return error;
  }

  function refuse(category, reason, torch) {
    torch = torch || CATEGORIES[category];
    throw Refusal(category, reason + " PyTorch: \u201c" + torch + "\u201d.", torch);
  }

  function isInt(v) {
    return typeof v === "number" && Math.floor(v) === v && isFinite(v);
  }

  function checkInt(name, v, minimum) {
    if (!isInt(v)) throw new TypeError(name + " must be an integer, got " + v);
    if (v < minimum) {
      var what = minimum === 0 ? "negative" : "below " + minimum;
      refuse("non-positive", name + " must be at least " + minimum + ", got " + v +
             " (" + what + ").", BELOW[name]);
    }
    return v;
  }

  // Apply a one-axis rule to every axis: numbers broadcast against arrays.
  function perAxis(rule, args) {
    var n = 0, arrays = false;
    args.forEach(function (a) {
      if (Array.isArray(a)) {
        if (arrays && a.length !== n) {
          throw new RangeError("array arguments must have the same length, got " +
                               JSON.stringify(args));
        }
        arrays = true; n = a.length;
      }
    });
    if (!arrays) return rule.apply(null, args);
    var out = [];
    for (var i = 0; i < n; i++) {
      out.push(rule.apply(null, args.map(function (a) { return Array.isArray(a) ? a[i] : a; })));
    }
    return out;
  }

  function floorDiv(a, b) { return Math.floor(a / b); }

  /** Input cells a dilated kernel spans: d*(k - 1) + 1. */
  function effectiveKernelSize(kernelSize, dilation) {
    return perAxis(function (k, d) {
      checkInt("kernel_size", k, 1);
      checkInt("dilation", d, 1);
      return d * (k - 1) + 1;
    }, [kernelSize, dilation === undefined ? 1 : dilation]);
  }

  /** Zeros [before, after] PyTorch adds on one axis for padding="same": the total d*(k-1),
   * the odd zero of an even kernel after (right/bottom). Stride must be 1. */
  function samePadding(kernelSize, stride, dilation) {
    stride = stride === undefined ? 1 : stride;
    return perAxis(function (k, s, d) {
      checkInt("kernel_size", k, 1);
      checkInt("stride", s, 1);
      checkInt("dilation", d, 1);
      if (s !== 1) {
        refuse("same-strided", 'padding="same" keeps the output as large as the input, ' +
               "which a stride of " + s + " cannot do.");
      }
      var total = d * (k - 1);
      return [Math.floor(total / 2), total - Math.floor(total / 2)];
    }, [kernelSize, stride, dilation === undefined ? 1 : dilation]);
  }

  // [before, after] from one padding entry: a number (each side), a pair, or "valid"/"same".
  function padPair(padding, k, s, d) {
    if (padding === "valid") return [0, 0];
    if (padding === "same") return samePadding(k, s, d);
    if (Array.isArray(padding)) {
      checkInt("padding", padding[0], 0);
      checkInt("padding", padding[1], 0);
      return padding.slice();
    }
    if (typeof padding === "string") {
      throw new TypeError("padding must be a number, 'valid' or 'same', got '" + padding + "'");
    }
    checkInt("padding", padding, 0);
    return [padding, padding];
  }

  function convAxis(n, k, s, p, d) {
    checkInt("size", n, 1);
    checkInt("kernel_size", k, 1);
    checkInt("stride", s, 1);
    checkInt("dilation", d, 1);
    var pad = padPair(p, k, s, d);
    var padded = n + pad[0] + pad[1], span = d * (k - 1) + 1;
    if (span > padded) {
      refuse("kernel-too-large", "The kernel spans " + span + " cells (d\u00b7(k \u2212 1) + 1 = " +
             d + "\u00b7(" + k + " \u2212 1) + 1) but the padded input has only " + padded +
             " (" + n + " + " + pad[0] + " + " + pad[1] + ").");
    }
    return floorDiv(padded - span, s) + 1;
  }

  /** Output size of a convolution: floor((n + 2p - d(k-1) - 1)/s) + 1. padding may be a
   * number, [before, after], "valid" or "same" (per axis, or one for all axes). */
  function convOutputSize(size, kernelSize, stride, padding, dilation) {
    stride = stride === undefined ? 1 : stride;
    padding = padding === undefined ? 0 : padding;
    dilation = dilation === undefined ? 1 : dilation;
    if (typeof padding === "string" || (Array.isArray(padding) && !Array.isArray(size))) {
      return perAxis(function (n, k, s, d) { return convAxis(n, k, s, padding, d); },
                     [size, kernelSize, stride, dilation]);
    }
    return perAxis(convAxis, [size, kernelSize, stride, padding, dilation]);
  }

  function checkPoolPadding(k, p) {
    if (p > Math.floor(k / 2)) {
      refuse("pool-padding", "Pooling pads at most half the window on each side " +
             "(kernel_size // 2 = " + Math.floor(k / 2) + "), got padding " + p + ".");
    }
  }

  function checkOutputPadding(op, s, d) {
    if (op >= s && op >= d) {
      refuse("output-padding", "output_padding " + op + " picks one of the input sizes a " +
             "stride-" + s + " convolution maps to the same size, so it must be smaller than " +
             "the stride " + s + " or the dilation " + d + ".");
    }
  }

  function poolAxis(n, k, s, p, d, ceilMode) {
    checkInt("size", n, 1);
    checkInt("kernel_size", k, 1);
    checkInt("stride", s, 1);
    checkInt("padding", p, 0);
    checkInt("dilation", d, 1);
    checkPoolPadding(k, p);
    var room = n + 2 * p - d * (k - 1) - 1;
    var out = floorDiv(room + (ceilMode ? s - 1 : 0), s) + 1;
    // ceil_mode: a last window that would start in the right padding is dropped
    if (ceilMode && (out - 1) * s >= n + p) out -= 1;
    if (out < 1) {
      refuse("output-too-small", "The window spans " + (d * (k - 1) + 1) + " cells but the " +
             "padded input has only " + (n + 2 * p) + " (" + n + " + 2\u00b7" + p +
             "): no window fits" + (ceilMode ? " that starts inside the input." : "."));
    }
    return out;
  }

  /** Output size of pooling, PyTorch's rules: stride defaults to kernel_size, padding is at
   * most half the window, and with ceilMode the last window must start inside the input or
   * its left padding. */
  function poolOutputSize(size, kernelSize, stride, padding, dilation, ceilMode) {
    stride = stride === undefined || stride === null ? kernelSize : stride;
    ceilMode = !!ceilMode;
    return perAxis(function (n, k, s, p, d) { return poolAxis(n, k, s, p, d, ceilMode); },
                   [size, kernelSize, stride, padding === undefined ? 0 : padding,
                    dilation === undefined ? 1 : dilation]);
  }

  function transposeAxis(n, k, s, p, op, d) {
    checkInt("size", n, 1);
    checkInt("kernel_size", k, 1);
    checkInt("stride", s, 1);
    if (typeof p === "string") {
      refuse("padding-string", "A transposed convolution takes padding as numbers, got '" +
             p + "'.");
    }
    checkInt("padding", p, 0);
    checkInt("output_padding", op, 0);
    checkInt("dilation", d, 1);
    checkOutputPadding(op, s, d);
    var out = (n - 1) * s - 2 * p + d * (k - 1) + op + 1;
    if (out < 1) {
      refuse("output-too-small", "Cropping padding " + p + " from each side leaves " + out +
             " cells: (" + n + " \u2212 1)\u00b7" + s + " \u2212 2\u00b7" + p + " + " + d +
             "\u00b7(" + k + " \u2212 1) + " + op + " + 1 = " + out + ".");
    }
    return out;
  }

  /** Output size of a transposed convolution: (n - 1)s - 2p + d(k - 1) + output_padding + 1. */
  function convTransposeOutputSize(size, kernelSize, stride, padding, outputPadding, dilation) {
    return perAxis(transposeAxis, [size, kernelSize, stride === undefined ? 1 : stride,
                                   padding === undefined ? 0 : padding,
                                   outputPadding === undefined ? 0 : outputPadding,
                                   dilation === undefined ? 1 : dilation]);
  }

  function product(kernelSize) {
    var ks = Array.isArray(kernelSize) ? kernelSize : [kernelSize, kernelSize];
    return ks.reduce(function (a, k) { return a * checkInt("kernel_size", k, 1); }, 1);
  }

  function checkGroups(inChannels, outChannels, groups) {
    checkInt("in_channels", inChannels, 1);
    checkInt("out_channels", outChannels, 1);
    checkInt("groups", groups, 1);
    if (inChannels % groups) {
      refuse("groups-in", "Each group needs the same number of input channels: " + inChannels +
             " input channels cannot be split into " + groups + " groups.");
    }
    if (outChannels % groups) {
      refuse("groups-out", "Each group needs the same number of output channels: " +
             outChannels + " output channels cannot be split into " + groups + " groups.");
    }
  }

  /** Learnable numbers of nn.Conv1d/2d: out * (in / groups) * prod(kernel) + out (bias).
   * A number kernelSize means a square 2-D kernel; pass [k] for 1-D. */
  function convParameters(inChannels, outChannels, kernelSize, bias, groups) {
    groups = groups === undefined ? 1 : groups;
    checkGroups(inChannels, outChannels, groups);
    return outChannels * (inChannels / groups) * product(kernelSize) +
      (bias === false ? 0 : outChannels);
  }

  /** Learnable numbers of nn.ConvTranspose1d/2d: the weight is (in, out / groups, *kernel),
   * the bias has out entries (the same count as the convolution going the other way). */
  function convTransposeParameters(inChannels, outChannels, kernelSize, bias, groups) {
    groups = groups === undefined ? 1 : groups;
    checkGroups(inChannels, outChannels, groups);
    return inChannels * (outChannels / groups) * product(kernelSize) +
      (bias === false ? 0 : outChannels);
  }

  /** Learnable numbers of nn.Linear: in * out + out (bias). */
  function linearParameters(inFeatures, outFeatures, bias) {
    checkInt("in_features", inFeatures, 1);
    checkInt("out_features", outFeatures, 1);
    return inFeatures * outFeatures + (bias === false ? 0 : outFeatures);
  }

  /** Receptive field of a stack of layers along one axis. Each layer is [k, s, d, p] (missing
   * entries: stride 1, dilation 1, padding 0) or {kernelSize, stride, dilation, padding}.
   * Returns {size, jump, start, layers}: input cells one output sees, input cells between
   * neighbouring outputs, the centre of the first output's field (negative: in the padding),
   * and the same after every layer. */
  function receptiveField(layers) {
    var size = 1, jump = 1, start = 0, steps = [];
    layers.forEach(function (layer, i) {
      var l = Array.isArray(layer)
        ? { kernelSize: layer[0], stride: layer[1], dilation: layer[2], padding: layer[3] }
        : layer;
      var k = checkInt("layers[" + i + "].kernelSize", l.kernelSize, 1);
      var s = checkInt("layers[" + i + "].stride", l.stride === undefined ? 1 : l.stride, 1);
      var d = checkInt("layers[" + i + "].dilation", l.dilation === undefined ? 1 : l.dilation, 1);
      var p = checkInt("layers[" + i + "].padding", l.padding === undefined ? 0 : l.padding, 0);
      var reach = d * (k - 1);
      size += reach * jump;
      start += (reach / 2 - p) * jump;
      jump *= s;
      steps.push({ size: size, jump: jump, start: start });
    });
    return { size: size, jump: jump, start: start, layers: steps };
  }

  /** A seeded generator of numbers in [0, 1) (mulberry32), for the widgets' new examples
   * and questions: the same seed, the same numbers. */
  function seededRandom(seed) {
    var a = seed >>> 0;
    return function () {
      a = (a + 0x6d2b79f5) >>> 0;
      var t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  var OPS = ["conv", "convolve", "transpose", "max_pool", "avg_pool"];
  var PAD_MODES = ["zeros", "reflect", "replicate", "circular"];

  function axes(value, dims, name) {
    var v = Array.isArray(value) ? value.slice() : [];
    if (!Array.isArray(value)) for (var i = 0; i < dims; i++) v.push(value);
    if (v.length !== dims) {
      throw new TypeError(name + " must be one number or " + dims + " numbers, got " +
                          JSON.stringify(value));
    }
    return v;
  }

  /** The whole layer as PyTorch checks it. setting: {op (one of OPS), dims (1 or 2), size,
   * inChannels, outChannels, groups, kernelSize, stride, padding (numbers per axis, "valid"
   * or "same"), dilation, paddingMode, outputPadding, ceilMode}; per-axis entries as one
   * number or an array of dims numbers. Returns {ok: true, out: [sizes], outChannels,
   * pads: [[before, after] per axis], stride: [per axis]} or {ok: false, category, reason,
   * torch}. Never throws for a refused setting (a malformed one is a TypeError). */
  function check(setting) {
    try {
      return { ok: true, ...layerShape(setting) };
    } catch (error) {
      if (error.name !== "Refusal") throw error;
      return { ok: false, category: error.category, reason: error.reason, torch: error.torch };
    }
  }

  function layerShape(st) {
    if (OPS.indexOf(st.op) < 0) throw new TypeError("op must be one of " + OPS.join(", "));
    if (st.dims !== 1 && st.dims !== 2) throw new TypeError("dims must be 1 or 2");
    var n = st.dims, pool = st.op === "max_pool" || st.op === "avg_pool";
    var size = axes(st.size, n, "size"), k = axes(st.kernelSize, n, "kernelSize");
    var dilation = axes(st.dilation === undefined ? 1 : st.dilation, n, "dilation");
    var stride = axes(st.stride === undefined || st.stride === null ? (pool ? k : 1) : st.stride,
                      n, "stride");
    var padding = typeof st.padding === "string" ? st.padding
      : axes(st.padding === undefined ? 0 : st.padding, n, "padding");
    var mode = st.paddingMode === undefined ? "zeros" : st.paddingMode;
    if (PAD_MODES.indexOf(mode) < 0) throw new TypeError("paddingMode must be one of " + PAD_MODES);
    var inC = st.inChannels === undefined ? 1 : st.inChannels;
    size.forEach(function (v) { checkInt("size", v, 1); });
    k.forEach(function (v) { checkInt("kernel_size", v, 1); });
    stride.forEach(function (v) { checkInt("stride", v, 1); });
    dilation.forEach(function (v) { checkInt("dilation", v, 1); });
    if (Array.isArray(padding)) padding.forEach(function (v) { checkInt("padding", v, 0); });
    checkInt("in_channels", inC, 1);
    if (pool) {
      if (typeof padding === "string") {
        refuse("padding-string", "Pooling takes padding as numbers, got '" + padding + "'.");
      }
      if (st.op === "avg_pool" && dilation.some(function (d) { return d !== 1; })) {
        refuse("no-dilation", "Average pooling has no dilation: its windows are always solid.");
      }
      // PyTorch checks the padding of every axis before any output size
      k.forEach(function (kk, a) { checkPoolPadding(kk, padding[a]); });
      var pout = poolOutputSize(size, k, stride, padding, dilation, !!st.ceilMode);
      return { out: pout, outChannels: inC, stride: stride,
               pads: padding.map(function (p) { return [p, p]; }) };
    }
    var outC = st.outChannels === undefined ? 1 : st.outChannels;
    var groups = st.groups === undefined ? 1 : st.groups;
    if (st.op === "transpose") {
      var op = axes(st.outputPadding === undefined ? 0 : st.outputPadding, n, "outputPadding");
      op.forEach(function (v) { checkInt("output_padding", v, 0); });
      if (typeof padding === "string") {
        refuse("padding-string", "A transposed convolution takes padding as numbers, got '" +
               padding + "'.");
      }
      checkGroups(inC, outC, groups);
      if (mode !== "zeros") {
        refuse("padding-mode", "A transposed convolution crops its padding off the output " +
               "instead of inventing input cells, so only zeros make sense.");
      }
      op.forEach(function (o, a) { checkOutputPadding(o, stride[a], dilation[a]); });
      var tout = convTransposeOutputSize(size, k, stride, padding, op, dilation);
      return { out: tout, outChannels: outC, stride: stride,
               pads: padding.map(function (p) { return [p, p]; }) };
    }
    checkGroups(inC, outC, groups);  // nn.Conv checks groups first
    var pads = [];
    for (var a = 0; a < n; a++) {
      pads.push(padPair(Array.isArray(padding) ? padding[a] : padding, k[a], stride[a],
                        dilation[a]));
    }
    pads.forEach(function (pair, a) {
      var most = Math.max(pair[0], pair[1]);
      if (mode === "reflect" && most >= size[a]) {
        refuse("reflect-too-large", "Reflect padding mirrors the input without repeating its " +
               "edge, so it has only " + (size[a] - 1) + " cells to offer on axis " + a +
               "; padding " + most + " is too much.");
      }
      if (mode === "circular" && most > size[a]) {
        refuse("circular-too-large", "Circular padding wraps the input around once, so it " +
               "adds at most the " + size[a] + " cells of axis " + a + "; padding " + most +
               " would wrap twice.");
      }
    });
    var out = [];
    for (var b = 0; b < n; b++) out.push(convAxis(size[b], k[b], stride[b], pads[b], dilation[b]));
    return { out: out, outChannels: outC, stride: stride, pads: pads };
  }

  return {
    CATEGORIES: CATEGORIES,
    OPS: OPS,
    PAD_MODES: PAD_MODES,
    Refusal: Refusal,
    check: check,
    convOutputSize: convOutputSize,
    convParameters: convParameters,
    convTransposeOutputSize: convTransposeOutputSize,
    convTransposeParameters: convTransposeParameters,
    effectiveKernelSize: effectiveKernelSize,
    linearParameters: linearParameters,
    poolOutputSize: poolOutputSize,
    receptiveField: receptiveField,
    samePadding: samePadding,
    seededRandom: seededRandom,
  };
});
