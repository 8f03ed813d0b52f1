/* The book's self-checking questions and drills (cnnbook.exercises writes their HTML).
 *
 * A question widget carries its key as JSON in data-quiz ({id, kind, answer, tolerance,
 * choices?, shape?}); this script reads the reader's answer, says right or wrong, shows the
 * hint after a wrong answer and the solution on request, and remembers answers in
 * localStorage (nothing leaves the browser). A drill widget (data-drill) makes up problems
 * without end and checks them with CnnbookArithmetic (web/arithmetic.js).
 *
 * A classic script: in the page it defines window.CnnbookQuiz, in node it is a module whose
 * pure parts (parsing, judging, the seeded generator) the tests in tests/js/ call.
 */
(function (root, factory) {
  if (typeof module === "object" && module.exports) module.exports = factory(require("./arithmetic.js"));
  else root.CnnbookQuiz = factory(root.CnnbookArithmetic);
})(typeof self !== "undefined" ? self : this, function (arithmeticAtLoad) {
  "use strict";

  var STORE_PREFIX = "cnnbook-quiz:";

  // The arithmetic may be inlined after this script (a drill below the first question).
  function arithmetic() {
    var A = arithmeticAtLoad || (typeof window !== "undefined" && window.CnnbookArithmetic);
    if (!A) throw new Error("CnnbookArithmetic (web/arithmetic.js) is not loaded");
    return A;
  }

  // --- reading the reader's answer ---------------------------------------------------------

  var NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

  /** One typed number: "12", "-0.5", "1e-3", "1/3". Returns {ok, value} or {ok: false, error}. */
  function parseNumber(text) {
    var t = String(text).trim().replace(/\u2212/g, "-").replace(/[\u00a0\u2009\u202f]/g, "");
    if (!t) return { ok: false, error: "Type your answer first." };
    if (NUMBER.test(t)) return { ok: true, value: Number(t) };
    var fraction = /^([+-]?\d+)\s*\/\s*(\d+)$/.exec(t);
    if (fraction && Number(fraction[2]) !== 0) {
      return { ok: true, value: Number(fraction[1]) / Number(fraction[2]) };
    }
    if (/^[+-]?\d+,\d+$/.test(t)) {
      return { ok: false, error: "Use a point for decimals: " + t.replace(",", ".") + "." };
    }
    return { ok: false, error: "\u201c" + t + "\u201d is not a number: type one like 12 or 0.5." };
  }

  // [[1, 2], [3, 4]]: nested lists of numbers, as Python or NumPy prints them.
  function parseBrackets(t) {
    var i = 0;
    function fail(why) { throw new SyntaxError(why); }
    function space() { while (i < t.length && /[\s]/.test(t[i])) i++; }
    function item() {
      space();
      if (t[i] === "[") {
        i++;
        var items = [];
        space();
        while (t[i] !== "]") {
          if (i >= t.length) fail("a \u201c[\u201d is not closed");
          items.push(item());
          space();
          if (i >= t.length) fail("a \u201c[\u201d is not closed");
          if (t[i] === ",") { i++; space(); } else if (t[i] !== "]") {
            // NumPy prints rows without commas: [[1 2] [3 4]]
            if (t[i] === "[" || /[-+.\d]/.test(t[i])) continue;
            fail("unexpected \u201c" + t[i] + "\u201d");
          }
        }
        i++;
        return items;
      }
      var start = i;
      while (i < t.length && /[^\s,[\]]/.test(t[i])) i++;
      var number = parseNumber(t.slice(start, i));
      if (!number.ok) fail(t.slice(start, i) ? number.error : "a number is missing");
      return number.value;
    }
    var value = item();
    space();
    if (i < t.length) fail("unexpected \u201c" + t.slice(i, i + 8) + "\u201d after the list");
    return value;
  }

  function shapeOf(value) {
    if (!Array.isArray(value)) return [];
    if (!value.length) throw new SyntaxError("a list is empty");
    var inner = shapeOf(value[0]);
    value.forEach(function (v, r) {
      if (JSON.stringify(shapeOf(v)) !== JSON.stringify(inner)) {
        throw new SyntaxError("row " + (r + 1) + " does not have the shape of row 1");
      }
    });
    return [value.length].concat(inner);
  }

  /** A typed array: rows "1 2 3; 4 5 6" (or one per line, commas allowed) or a Python list
   * "[[1, 2, 3], [4, 5, 6]]". One typed row is a 1-D array. Returns {ok, value, shape} or
   * {ok: false, error}. */
  function parseArray(text) {
    var t = String(text).trim().replace(/\u2212/g, "-");
    if (!t) return { ok: false, error: "Type your answer first." };
    var wrapped = /^(?:np\.|numpy\.|torch\.)?(?:array|tensor)\(([\s\S]*)\)$/.exec(t);
    if (wrapped) t = wrapped[1].trim();
    var value;
    try {
      if (t[0] === "[") {
        value = parseBrackets(t);
        if (!Array.isArray(value)) throw new SyntaxError("not a list");
      } else {
        var rows = t.split(/\s*[;\n]\s*/).filter(function (r) { return r.length; });
        value = rows.map(function (row, r) {
          return row.split(/[\s,]+/).filter(function (c) { return c.length; }).map(function (c) {
            var number = parseNumber(c);
            if (!number.ok) throw new SyntaxError("row " + (r + 1) + ": " + number.error);
            return number.value;
          });
        });
        value.forEach(function (row, r) {
          if (row.length !== value[0].length) {
            throw new SyntaxError("row " + (r + 1) + " has " + row.length + " numbers and row " +
                                  "1 has " + value[0].length + ": every row needs as many");
          }
        });
        if (value.length === 1) value = value[0];
      }
      var shape = shapeOf(value);
      if (shape.length > 2) throw new SyntaxError("an array of 1 or 2 dimensions is expected");
      return { ok: true, value: value, shape: shape };
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      return { ok: false, error: "Could not read the array: " + error.message +
               ". Type rows like 1 2 3; 4 5 6, or a list like [[1, 2, 3], [4, 5, 6]]." };
    }
  }

  function squeezed(shape) { return shape.filter(function (n) { return n !== 1; }); }

  function flat(value) {
    return Array.isArray(value) ? [].concat.apply([], value.map(flat)) : [value];
  }

  function describeShape(shape) {
    if (shape.length === 0) return "one number";
    if (shape.length === 1) return "one row of " + shape[0] + " number" + (shape[0] === 1 ? "" : "s");
    return shape[0] + " rows of " + shape[1] + " (" + shape[0] + " \u00d7 " + shape[1] + ")";
  }

  /** Judge an answer against a key {kind, answer, tolerance, shape?, choices?}. ``given`` is
   * the typed text, or for a choice the index of the picked option (null: none picked).
   * Returns {status: "right" | "wrong" | "invalid", message}. Never says the key. */
  function judge(key, given) {
    var tol = key.tolerance || 0;
    if (key.kind === "choice") {
      if (given === null || given === undefined || given === "") {
        return { status: "invalid", message: "Pick one of the options first." };
      }
      var index = Number(given);
      if (!(index >= 0 && index < key.choices.length && Math.floor(index) === index)) {
        return { status: "invalid", message: "Pick one of the " + key.choices.length +
                 " options." };
      }
      return verdict(index === key.answer);
    }
    if (key.kind === "integer" || key.kind === "number") {
      var number = parseNumber(given);
      if (!number.ok) return { status: "invalid", message: number.error };
      return verdict(Math.abs(number.value - key.answer) <= tol);
    }
    if (key.kind === "array") {
      var typed = parseArray(given);
      if (!typed.ok) return { status: "invalid", message: typed.error };
      if (JSON.stringify(squeezed(typed.shape)) !== JSON.stringify(squeezed(key.shape))) {
        return { status: "invalid", message: "Expected " + describeShape(key.shape) +
                 "; you typed " + describeShape(typed.shape) + "." };
      }
      var a = flat(typed.value), b = flat(key.answer);
      return verdict(a.every(function (v, i) { return Math.abs(v - b[i]) <= tol; }));
    }
    throw new TypeError("unknown kind of question: " + key.kind);
  }

  function verdict(right) {
    return right ? { status: "right", message: "Right." }
      : { status: "wrong", message: "Not right yet: read the hint, then try again." };
  }

  /** A short fingerprint of a key (FNV-1a): a remembered answer counts only for that key. */
  function fingerprint(key) {
    var text = JSON.stringify(key), h = 0x811c9dc5;
    for (var i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return ("0000000" + h.toString(16)).slice(-8);
  }

  // --- seeded problems ---------------------------------------------------------------------

  /** A seeded generator of numbers in [0, 1): the same seed, the same problems. Drills load
   * web/arithmetic.js anyway; its generator is the explorer's too. */
  function makeRng(seed) {
    return arithmetic().seededRandom(seed);
  }

  function int(rng, lo, hi) { return lo + Math.floor(rng() * (hi - lo + 1)); }
  function pick(rng, items) { return items[Math.floor(rng() * items.length)]; }
  function chance(rng, p) { return rng() < p; }

  function esc(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;");
  }
  function code(text) { return "<code>" + esc(text) + "</code>"; }

  function call(name, args) {
    return name + "(" + args.map(function (a) {
      if (!Array.isArray(a)) return a;
      var v = a[1];
      return a[0] + "=" + (typeof v === "boolean" ? pyBool(v) : typeof v === "string" ? '"' + v +
                           '"' : v);
    }).join(", ") + ")";
  }

  var MINUS = " \u2212 ", TIMES = "\u00b7";

  // Each drill: make(rng) -> {params (what torch needs), text, answer, shape, hint, solution}.
  var DRILLS = {
    "output-size": {
      title: "Drill: output size",
      label: "Output width",
      make: function (rng) {
        var kind = pick(rng, ["Conv2d", "Conv2d", "Conv2d", "MaxPool2d", "ConvTranspose2d"]);
        for (;;) {
          var n = int(rng, 5, 64), k = pick(rng, [1, 2, 3, 3, 3, 4, 5, 5, 7]);
          var s = pick(rng, [1, 1, 2, 2, 3]), d = chance(rng, 0.3) ? int(rng, 2, 3) : 1;
          var p = int(rng, 0, 3), problem = null;
          try {
            if (kind === "Conv2d") problem = convSize(n, k, s, p, d, int(rng, 1, 16));
            else if (kind === "MaxPool2d") problem = poolSize(n, k, s, p, d, chance(rng, 0.4));
            else problem = transposeSize(int(rng, 3, 20), k, s, p, d, int(rng, 0, 2));
          } catch (error) {
            if (error.name !== "Refusal") throw error;
          }
          if (problem) return problem;
        }
      },
    },
    "same-padding": {
      title: "Drill: \u201csame\u201d padding",
      label: "Zeros before and after (two numbers)",
      make: function (rng) {
        var k = int(rng, 1, 9), d = chance(rng, 0.4) ? int(rng, 2, 4) : 1, n = int(rng, 8, 40);
        var pair = arithmetic().samePadding(k, 1, d), total = d * (k - 1);
        var args = [1, 1, k];
        if (d > 1) args.push(["dilation", d]);
        args.push(["padding", "same"]);
        var layer = call("nn.Conv1d", args);
        return {
          params: { layer: "Conv1d", kernel_size: k, dilation: d, padding: "same", size: n },
          text: code(layer) + " keeps a " + n + "-sample signal " + n + " samples long. How many " +
            "zeros does PyTorch add before the signal, and how many after? Type both, e.g. " +
            code("2 3") + ".",
          answer: pair, shape: [2],
          hint: "A kernel dilated by d spans d" + TIMES + "(k" + MINUS + "1) + 1 samples, so " +
            "the padded signal needs d" + TIMES + "(k" + MINUS + "1) extra zeros in all; " +
            "PyTorch puts the odd one after.",
          solution: "In all d" + TIMES + "(k" + MINUS + "1) = " + d + TIMES + "(" + k + MINUS +
            "1) = " + total + " zeros: " + pair[0] + " before and " + pair[1] + " after" +
            (total % 2 ? " (the odd one after)." : "."),
        };
      },
    },
    parameters: {
      title: "Drill: parameters of a layer",
      label: "Number of parameters",
      make: function (rng) {
        var A = arithmetic(), bias = chance(rng, 0.75), kind = pick(rng, ["conv", "conv", "linear",
                                                                          "transpose"]);
        if (kind === "linear") {
          var fin = pick(rng, [10, 16, 84, 120, 128, 256, 400, 784]);
          var fout = pick(rng, [2, 10, 32, 64, 84, 100, 120]);
          var lcount = A.linearParameters(fin, fout, bias);
          return {
            params: { layer: "Linear", in_features: fin, out_features: fout, bias: bias },
            text: "How many learnable numbers does " +
              code(call("nn.Linear", [fin, fout, ["bias", bias]])) + " have?",
            answer: lcount, shape: [],
            hint: "A fully connected layer has one weight per (input, output) pair" +
              (bias ? ", and one bias per output." : " and, here, no bias."),
            solution: fin + TIMES + fout + (bias ? " + " + fout : "") + " = " + lcount + ".",
          };
        }
        var groups = chance(rng, 0.25) ? pick(rng, [2, 4]) : 1;
        var cin = groups * int(rng, 1, 8), cout = groups * int(rng, 1, 8);
        var k = pick(rng, [1, 3, 3, 5, 7]), name = kind === "conv" ? "Conv2d" : "ConvTranspose2d";
        var count = kind === "conv" ? A.convParameters(cin, cout, k, bias, groups)
          : A.convTransposeParameters(cin, cout, k, bias, groups);
        var args = [cin, cout, k];
        if (groups > 1) args.push(["groups", groups]);
        args.push(["bias", bias]);
        var weight = kind === "conv" ? cout + TIMES + (cin / groups) : cin + TIMES + (cout / groups);
        return {
          params: { layer: name, in_channels: cin, out_channels: cout, kernel_size: k,
                    groups: groups, bias: bias },
          text: "How many learnable numbers does " + code(call("nn." + name, args)) + " have?",
          answer: count, shape: [],
          hint: "Each output channel has one " + k + "\u00d7" + k + " kernel per input channel " +
            "of its group" + (groups > 1 ? " (" + groups + " groups)" : "") +
            (bias ? ", plus one bias." : "; this layer has no bias."),
          solution: "Weights " + weight + TIMES + k + TIMES + k + (bias ? " + biases " + cout : "") +
            " = " + count + ".",
        };
      },
    },
    "receptive-field": {
      title: "Drill: receptive field",
      label: "Receptive field (input pixels along one axis)",
      make: function (rng) {
        var layers = [], depth = int(rng, 2, 4);
        for (var i = 0; i < depth; i++) {
          var pool = i > 0 && chance(rng, 0.25); // average pooling: torch can measure its field
          var k = pool ? 2 : pick(rng, [1, 3, 3, 3, 5]), s = pool ? 2 : pick(rng, [1, 1, 2]);
          var d = !pool && k > 1 && chance(rng, 0.25) ? 2 : 1;
          layers.push({ layer: pool ? "AvgPool2d" : "Conv2d", kernel_size: k, stride: s,
                        dilation: d });
        }
        var field = arithmetic().receptiveField(layers.map(function (l) {
          return { kernelSize: l.kernel_size, stride: l.stride, dilation: l.dilation };
        }));
        var items = layers.map(function (l) {
          var args = l.layer === "Conv2d" ? ["c", "c"] : [];
          args.push(["kernel_size", l.kernel_size], ["stride", l.stride]);
          if (l.dilation > 1) args.push(["dilation", l.dilation]);
          return "<li>" + code(call("nn." + l.layer, args)) + "</li>";
        });
        var sum = layers.map(function (l, j) {
          return l.dilation * (l.kernel_size - 1) + TIMES + field.layers[j].jump / l.stride;
        });
        return {
          params: { layers: layers },
          text: "One output pixel of this stack sees how many input pixels along one axis?" +
            "<ol>" + items.join("") + "</ol>",
          answer: field.size, shape: [],
          hint: "Start from 1. Each layer adds d" + TIMES + "(k" + MINUS + "1) times the jump " +
            "before it: the product of the strides of the layers below.",
          solution: "1 + " + sum.join(" + ") + " = " + field.size + " (the jumps before the " +
            "layers: " + field.layers.map(function (f, j) {
            return f.jump / layers[j].stride;
          }).join(", ") + ").",
        };
      },
    },
  };

  function pyBool(b) { return b ? "True" : "False"; }

  function convSize(n, k, s, p, d, channels) {
    var out = arithmetic().convOutputSize(n, k, s, p, d);
    var args = [channels, channels * 2, k];
    if (s !== 1) args.push(["stride", s]);
    if (p) args.push(["padding", p]);
    if (d !== 1) args.push(["dilation", d]);
    var span = d * (k - 1) + 1;
    return {
      params: { layer: "Conv2d", in_channels: channels, out_channels: channels * 2,
                kernel_size: k, stride: s, padding: p, dilation: d, size: n },
      text: "What is the output width of " + code(call("nn.Conv2d", args)) + " on a " + n +
        " \u00d7 " + n + " input?",
      answer: out, shape: [],
      hint: "\u230a(n + 2p" + MINUS + "d" + TIMES + "(k" + MINUS + "1)" + MINUS + "1) / s\u230b" +
        " + 1, with n = " + n + ", k = " + k + ", s = " + s + ", p = " + p + ", d = " + d + ".",
      solution: "The kernel spans d" + TIMES + "(k" + MINUS + "1) + 1 = " + span + " pixel" +
        (span === 1 ? "" : "s") + ": " +
        "\u230a(" + n + " + " + 2 * p + MINUS + span + ") / " + s + "\u230b + 1 = \u230a" +
        (n + 2 * p - span) + "/" + s + "\u230b + 1 = " + out + ".",
    };
  }

  function poolSize(n, k, s, p, d, ceil) {
    var out = arithmetic().poolOutputSize(n, k, s, p, d, ceil);
    var args = [k, ["stride", s]];
    if (p) args.push(["padding", p]);
    if (d !== 1) args.push(["dilation", d]);
    if (ceil) args.push(["ceil_mode", true]);
    var span = d * (k - 1) + 1, room = n + 2 * p - span;
    var rounded = ceil ? Math.ceil(room / s) : Math.floor(room / s);
    return {
      params: { layer: "MaxPool2d", kernel_size: k, stride: s, padding: p, dilation: d,
                ceil_mode: ceil, size: n },
      text: "What is the output width of " + code(call("nn.MaxPool2d", args)) + " on a " + n + " \u00d7 " + n + " input?",
      answer: out, shape: [],
      hint: (ceil ? "\u2308" : "\u230a") + "(n + 2p" + MINUS + "d" + TIMES + "(k" + MINUS +
        "1)" + MINUS + "1) / s" + (ceil ? "\u2309" : "\u230b") + " + 1" +
        (ceil ? "; with ceil_mode a last window that would start in the right padding is " +
         "dropped." : "."),
      solution: "The window spans " + span + " pixels: " + (ceil ? "\u2308" : "\u230a") +
        room + "/" + s + (ceil ? "\u2309" : "\u230b") + " + 1 = " + (rounded + 1) +
        (rounded + 1 !== out ? ", less the last window, which would start in the padding: " +
         out : "") + ".",
    };
  }

  function transposeSize(n, k, s, p, d, op) {
    var out = arithmetic().convTransposeOutputSize(n, k, s, p, op, d);
    var args = [4, 2, k];
    if (s !== 1) args.push(["stride", s]);
    if (p) args.push(["padding", p]);
    if (op) args.push(["output_padding", op]);
    if (d !== 1) args.push(["dilation", d]);
    return {
      params: { layer: "ConvTranspose2d", in_channels: 4, out_channels: 2, kernel_size: k,
                stride: s, padding: p, output_padding: op, dilation: d, size: n },
      text: "What is the output width of " + code(call("nn.ConvTranspose2d", args)) + " on a " +
        n + " \u00d7 " + n + " input?",
      answer: out, shape: [],
      hint: "(n" + MINUS + "1)" + TIMES + "s" + MINUS + "2p + d" + TIMES + "(k" + MINUS +
        "1) + output_padding + 1.",
      solution: "(" + n + MINUS + "1)" + TIMES + s + MINUS + 2 * p + " + " + d + TIMES + "(" + k +
        MINUS + "1) + " + op + " + 1 = " + out + ".",
    };
  }

  /** Problem number ``index`` (0, 1, ...) of drill ``kind`` from ``seed``. */
  function generate(kind, seed, index) {
    if (!Object.prototype.hasOwnProperty.call(DRILLS, kind)) {
      throw new TypeError("kind must be one of " + Object.keys(DRILLS).join(", ") + ", got " + kind);
    }
    var rng = makeRng((seed >>> 0) ^ Math.imul((index || 0) + 1, 0x9e3779b1));
    var problem = DRILLS[kind].make(rng);
    problem.kind = kind;
    problem.key = { kind: problem.shape.length ? "array" : "integer", answer: problem.answer,
                    tolerance: 0, shape: problem.shape };
    return problem;
  }

  // --- the page ------------------------------------------------------------------------------

  function storage() {
    try {
      var s = window.localStorage, probe = STORE_PREFIX + "probe";
      s.setItem(probe, "1");
      s.removeItem(probe);
      return s;
    } catch (error) {
      return null; // storage refused (privacy settings): the widgets work without memory
    }
  }

  function recall(id) {
    var s = storage();
    if (!s) return null;
    try { return JSON.parse(s.getItem(STORE_PREFIX + id)); } catch (error) { return null; }
  }

  function remember(id, record) {
    var s = storage();
    if (s) s.setItem(STORE_PREFIX + id, JSON.stringify(record));
  }

  function forget(id) {
    var s = storage();
    if (s) s.removeItem(STORE_PREFIX + id);
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function typeset(node) {
    var M = window.MathJax;
    if (M && M.startup && M.startup.promise && M.typesetPromise) {
      M.startup.promise = M.startup.promise.then(function () { return M.typesetPromise([node]); })
        .catch(function () {});
    }
  }

  function showFeedback(feedback, result) {
    feedback.textContent = result.message;
    feedback.className = "cnnbook-quiz-feedback is-" + result.status;
  }

  function questions() {
    return Array.prototype.slice.call(document.querySelectorAll(".cnnbook-quiz--question[data-quiz]"));
  }

  /** The page's progress line, before its first question; every question updates it. */
  function updateProgress() {
    var all = questions();
    if (!all.length) return;
    var bar = document.querySelector(".cnnbook-quiz-progress");
    if (!bar) {
      bar = el("div", { "class": "cnnbook-quiz-progress", style: all[0].getAttribute("style") });
      var meter = el("progress", { "class": "cnnbook-quiz-meter", "aria-hidden": "true" });
      var text = el("span", { "class": "cnnbook-quiz-progress-text" });
      var reset = el("button", { type: "button", "class": "cnnbook-quiz-forget" },
                     "Forget my answers");
      reset.addEventListener("click", function () {
        questions().forEach(function (q) { if (q.cnnbookQuizReset) q.cnnbookQuizReset(); });
        updateProgress();
      });
      bar.appendChild(meter);
      bar.appendChild(text);
      bar.appendChild(reset);
      all[0].parentNode.insertBefore(bar, all[0]);
    }
    var right = all.filter(function (q) { return q.cnnbookQuizState === "right"; }).length;
    bar.querySelector(".cnnbook-quiz-progress-text").textContent = right + " of " + all.length +
      " question" + (all.length === 1 ? "" : "s") + " on this page answered right";
    var meterNode = bar.querySelector("progress");
    meterNode.max = all.length;
    meterNode.value = right;
  }

  function initQuestion(root) {
    var key = JSON.parse(root.getAttribute("data-quiz"));
    var fp = fingerprint(key);
    var form = root.querySelector(".cnnbook-quiz-form");
    var input = root.querySelector(".cnnbook-quiz-input");
    var feedback = root.querySelector(".cnnbook-quiz-feedback");
    var hint = root.querySelector(".cnnbook-quiz-hint");
    var show = root.querySelector(".cnnbook-quiz-show");
    var solution = root.querySelector(".cnnbook-quiz-solution");
    var badge = root.querySelector(".cnnbook-quiz-badge");
    var radios = Array.prototype.slice.call(root.querySelectorAll("input[type=radio]"));

    function given() {
      if (key.kind !== "choice") return input.value;
      var picked = radios.filter(function (r) { return r.checked; })[0];
      return picked ? picked.value : null;
    }

    function setState(status) {
      root.cnnbookQuizState = status;
      root.classList.toggle("is-right", status === "right");
      badge.hidden = status !== "right";
      badge.textContent = status === "right" ? "\u2713 answered right" : "";
    }

    function apply(result) {
      showFeedback(feedback, result);
      if (result.status === "wrong") hint.hidden = false;
      if (result.status !== "invalid") setState(result.status);
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var answer = given(), result = judge(key, answer);
      apply(result);
      if (result.status !== "invalid") remember(key.id, { s: result.status, a: answer, k: fp });
      updateProgress();
    });

    show.hidden = false;
    show.addEventListener("click", function () {
      var open = solution.hidden;
      solution.hidden = !open;
      show.setAttribute("aria-expanded", String(open));
      show.textContent = open ? "Hide solution" : "Show solution";
    });

    root.cnnbookQuizReset = function () {
      forget(key.id);
      if (input) input.value = "";
      radios.forEach(function (r) { r.checked = false; });
      feedback.textContent = "";
      feedback.className = "cnnbook-quiz-feedback";
      hint.hidden = true;
      setState(null);
    };

    var record = recall(key.id);
    if (record && record.k === fp && (record.s === "right" || record.s === "wrong")) {
      if (key.kind === "choice") {
        radios.forEach(function (r) { r.checked = r.value === String(record.a); });
      } else {
        input.value = record.a;
      }
      apply(judge(key, record.a));
      feedback.textContent += record.s === "right" ? " (remembered from your last visit)"
        : " (your last answer)";
    } else {
      setState(null);
    }
    updateProgress();
  }

  var drillCount = 0;

  function drillSeed(root) {
    var given = root.getAttribute("data-seed");
    if (given !== null) return Number(given) >>> 0;
    var fromUrl = /[?&]quiz-seed=(\d+)/.exec(window.location.search);
    if (fromUrl) return (Number(fromUrl[1]) + drillCount) >>> 0;
    if (window.crypto && window.crypto.getRandomValues) {
      return window.crypto.getRandomValues(new Uint32Array(1))[0];
    }
    return Math.floor(Math.random() * 4294967296);
  }

  function initDrill(root) {
    var kind = root.getAttribute("data-drill"), spec = DRILLS[kind];
    var seed = drillSeed(root), index = 0, problem = null, tries = 0, rights = 0, answered = 0;
    drillCount++;
    var dom = root.id;
    root.setAttribute("data-seed-used", String(seed));
    root.querySelector(".cnnbook-quiz-title").textContent = spec.title;
    var text = el("div", { "class": "cnnbook-quiz-text cnnbook-drill-problem", id: dom + "-text" });
    var form = el("form", { "class": "cnnbook-quiz-form", novalidate: "" });
    var label = el("label", { "class": "cnnbook-quiz-label", "for": dom + "-input" }, spec.label);
    var input = el("input", { "class": "cnnbook-quiz-input", id: dom + "-input", type: "text",
                              autocomplete: "off", spellcheck: "false",
                              "aria-describedby": dom + "-text" });
    var check = el("button", { type: "submit", "class": "cnnbook-quiz-check" }, "Check");
    var feedback = el("p", { "class": "cnnbook-quiz-feedback", role: "status",
                             "aria-live": "polite" });
    var hint = el("div", { "class": "cnnbook-quiz-hint", id: dom + "-hint" });
    var buttons = el("div", { "class": "cnnbook-quiz-buttons" });
    var show = el("button", { type: "button", "class": "cnnbook-quiz-show",
                              "aria-expanded": "false", "aria-controls": dom + "-solution" },
                  "Show solution");
    var next = el("button", { type: "button", "class": "cnnbook-drill-next" }, "New question");
    var solution = el("div", { "class": "cnnbook-quiz-solution", id: dom + "-solution" });
    var score = el("p", { "class": "cnnbook-drill-score" });
    hint.hidden = true;
    solution.hidden = true;
    form.appendChild(label);
    form.appendChild(input);
    form.appendChild(check);
    buttons.appendChild(show);
    buttons.appendChild(next);
    [text, form, feedback, hint, buttons, solution, score].forEach(function (node) {
      root.appendChild(node);
    });

    function ask() {
      problem = generate(kind, seed, index++);
      tries = 0;
      text.innerHTML = problem.text;
      text.setAttribute("data-params", JSON.stringify(problem.params));
      text.setAttribute("data-index", String(index - 1));
      hint.innerHTML = "<strong>Hint.</strong> " + esc(problem.hint);
      solution.innerHTML = "<strong>Solution.</strong> " + esc(problem.solution);
      hint.hidden = true;
      solution.hidden = true;
      show.setAttribute("aria-expanded", "false");
      show.textContent = "Show solution";
      input.value = "";
      feedback.textContent = "";
      feedback.className = "cnnbook-quiz-feedback";
    }

    function tally() {
      score.textContent = answered ? rights + " of " + answered + " answered right at the first " +
        "try" : "";
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var result = judge(problem.key, input.value);
      showFeedback(feedback, result);
      if (result.status === "invalid") return;
      if (tries++ === 0) {
        answered++;
        if (result.status === "right") rights++;
      }
      if (result.status === "wrong") hint.hidden = false;
      tally();
    });
    show.addEventListener("click", function () {
      var open = solution.hidden;
      solution.hidden = !open;
      show.setAttribute("aria-expanded", String(open));
      show.textContent = open ? "Hide solution" : "Show solution";
      if (open && tries === 0) { tries = 1; answered++; tally(); } // seen, not answered
    });
    next.addEventListener("click", function () { ask(); input.focus(); });
    ask();
    tally();
  }

  /** Bring the widget ``root`` (written by cnnbook.exercises) to life; once per widget. */
  function init(root) {
    if (!root || root.cnnbookQuizReady || !root.classList.contains("cnnbook-quiz")) return;
    root.cnnbookQuizReady = true;
    if (root.hasAttribute("data-quiz")) initQuestion(root);
    else if (root.hasAttribute("data-drill")) initDrill(root);
    typeset(root);
  }

  return {
    DRILLS: Object.keys(DRILLS),
    describeShape: describeShape,
    fingerprint: fingerprint,
    generate: generate,
    init: init,
    judge: judge,
    makeRng: makeRng,
    parseArray: parseArray,
    parseNumber: parseNumber,
  };
});
