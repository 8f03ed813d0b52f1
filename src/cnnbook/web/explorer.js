/* The convolution explorer: a widget in the page where the reader sets any convolution or
 * pooling layer and sees its input, kernel and output, step by step, with the output-size
 * formula and the PyTorch code of the setting. engine.js computes everything it draws.
 *
 * cnnbook.viz.explorer writes a <div class="cnnbook-explorer"> holding a JSON config
 * (<script type="application/json">) and this script; mountAll() turns every such div into
 * a widget once. No framework: plain DOM, built once per shape, and on every change only the
 * text and classes of the cells are updated, so a 32 x 32 input redraws within a frame.
 */
(function (root, factory) {
  if (typeof module === "object" && module.exports) {
    module.exports = factory(require("./engine.js"), require("./arithmetic.js"));
  } else {
    root.CnnbookExplorer = factory(root.CnnbookEngine, root.CnnbookArithmetic);
  }
})(typeof self !== "undefined" ? self : this, function (E, A) {
  "use strict";

  var OPS = [
    ["conv", "correlation (nn.Conv)"],
    ["convolve", "true convolution (w turned)"],
    ["transpose", "transposed convolution"],
    ["max_pool", "max pooling"],
    ["avg_pool", "average pooling"],
  ];
  var MAX = { channels: 4, kernel: 9 };
  var PLAY_MS = 650;

  // --- the model: pure functions of the state (tested in node) -----------------------

  var generator = A.seededRandom;  // the same seed, the same inputs

  var blocks = {};
  /** Seeded random integers for every cell the explorer can show: inputs 0..4 for
   * 4 x 128 x 128 cells, weights -2..2 for 4 x 4 x 16 x 16 taps. */
  function randomBlock(kind, seed) {
    var key = kind + seed;
    if (!blocks[key]) {
      var rand = generator(kind === "x" ? 2 * seed + 1 : 2 * seed + 2);
      var n = kind === "x" ? 4 * 128 * 128 : 4 * 4 * 16 * 16, out = new Int8Array(n);
      for (var i = 0; i < n; i++) out[i] = kind === "x" ? Math.floor(rand() * 5) : Math.floor(rand() * 5) - 2;
      blocks[key] = out;
    }
    return blocks[key];
  }

  /** The engine's setting for the state (per-axis entries are [h, w]; 1-D uses w). */
  function settingOf(st) {
    var two = st.dims === 2;
    function axes(v) { return two ? v.slice(0, 2) : [v[1]]; }
    return {
      op: st.op, dims: st.dims, size: axes(st.size), inChannels: st.inChannels,
      outChannels: st.outChannels, groups: st.groups, kernelSize: axes(st.kernelSize),
      stride: axes(st.stride), padding: st.padKind === "numbers" ? axes(st.padding) : st.padKind,
      dilation: st.op === "avg_pool" ? axes([1, 1]) : axes(st.dilation),
      paddingMode: st.paddingMode, outputPadding: axes(st.outputPadding), ceilMode: st.ceilMode,
      countIncludePad: st.countIncludePad,
    };
  }

  function digitValue(digits, n, i, j, H, W) {
    var side = digits.side, r = i + Math.floor((side - H) / 2), q = j + Math.floor((side - W) / 2);
    if (r < 0 || q < 0 || r >= side || q >= side) return 0;
    return digits.pixels[(n % digits.count) * side * side + r * side + q] / 255;
  }

  /** The arrays of the state: x (C, H, W) from its source (the page's example, seeded
   * random integers or MNIST digits, centred), the weight and bias, and the reader's edits
   * on top. Cells outside the example come from the random block. */
  function arraysOf(st, example, digits) {
    var s = settingOf(st), two = st.dims === 2;
    var C = s.inChannels, H = two ? s.size[0] : 1, W = s.size[s.dims - 1];
    var ex = example && example.dims === st.dims && st.source === "example" ? example : null;
    var rx = randomBlock("x", st.seed), rw = randomBlock("w", st.seed);
    var x = new Array(C * H * W), k = 0, c, i, j;
    for (c = 0; c < C; c++) {
      for (i = 0; i < H; i++) {
        for (j = 0; j < W; j++, k++) {
          var key = "x" + c + "," + i + "," + j;
          if (key in st.edits) x[k] = st.edits[key];
          else if (st.source === "digit" && digits) x[k] = digitValue(digits, st.digit + c, i, j, H, W);
          else if (ex && c < ex.xShape[0] && i < ex.xShape[1] && j < ex.xShape[2]) {
            x[k] = ex.x[(c * ex.xShape[1] + i) * ex.xShape[2] + j];
          } else x[k] = rx[(c * 128 + i) * 128 + j];
        }
      }
    }
    var pool = s.op === "max_pool" || s.op === "avg_pool";
    if (pool) return { x: x, weight: null, bias: null };
    var first = s.op === "transpose" ? C : s.outChannels;
    var second = s.op === "transpose" ? s.outChannels / s.groups : C / s.groups;
    second = Math.max(1, Math.floor(second));
    var kh = two ? s.kernelSize[0] : 1, kw = s.kernelSize[s.dims - 1];
    var w = new Array(first * second * kh * kw), a, b, u, v;
    var ews = ex && ex.wShape;  // a transposed weight is (C_in, C_out/g, ...), the others not
    var sameLayout = ews && (ex.op === "transpose") === (s.op === "transpose");
    k = 0;
    for (a = 0; a < first; a++) {
      for (b = 0; b < second; b++) {
        for (u = 0; u < kh; u++) {
          for (v = 0; v < kw; v++, k++) {
            var wkey = "w" + a + "," + b + "," + u + "," + v;
            if (wkey in st.edits) w[k] = st.edits[wkey];
            else if (ews && sameLayout && a < ews[0] && b < ews[1] && u < ews[2] && v < ews[3]) {
              w[k] = ex.weight[((a * ews[1] + b) * ews[2] + u) * ews[3] + v];
            } else w[k] = rw[((a * 4 + b) * 16 + u) * 16 + v];
          }
        }
      }
    }
    var bias = ex && ex.bias && ex.bias.length === s.outChannels ? ex.bias : null;
    return { x: x, weight: w, bias: bias };
  }

  // --- the DOM -------------------------------------------------------------------------

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    for (var name in attrs || {}) {
      if (name === "text") node.textContent = attrs[name];
      else if (attrs[name] !== null && attrs[name] !== undefined) node.setAttribute(name, attrs[name]);
    }
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  function mix(hex, t) {  // hex blended with white: t = 0 white, 1 the colour
    var n = parseInt(hex.slice(1), 16), rgb = [n >> 16, (n >> 8) & 255, n & 255];
    return rgb.map(function (c) { return Math.round(255 + (c - 255) * t); });
  }

  var ROLES = ["input", "kernel", "output"];

  /** The fills of every role: 17 levels, from the negative colour through white (level 8,
   * zero) to the role colour, each with an ink (text colour) that reads on it. */
  function palette(colors) {
    var fills = {}, inks = {};
    ROLES.forEach(function (role) {
      fills[role] = [];
      inks[role] = [];
      for (var l = -8; l <= 8; l++) {
        var rgb = mix(l < 0 ? colors.negative : colors[role], Math.abs(l) / 8);
        var lum = (0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]) / 255;
        fills[role].push("rgb(" + rgb.join(",") + ")");
        inks[role].push(lum < 0.45 ? "#fff" : "#111");
      }
    });
    var rgb = { "#fafafa": [250, 250, 250] };  // each fill's numbers, for painting pixels
    ROLES.forEach(function (role) {
      fills[role].forEach(function (f) { rgb[f] = f.slice(4, -1).split(",").map(Number); });
    });
    return { fills: fills, inks: inks, padding: colors.padding, rgb: rgb };
  }

  // Cell sizes in CSS pixels by grid width (explorer.css draws the cells at these sizes),
  // and the size of the numbers written in them.
  var CELL = { normal: 26, dense: 21, tiny: 18 };
  var FONT = { normal: 11, dense: 9, tiny: 8 };

  var CELL_NODE = null;  // the cell every grid clones

  /** One array drawn as rows of cells. The fills and numbers are painted on one canvas under
   * the cells, which is much faster to redraw than thousands of styled text nodes; the cells
   * themselves (kept from redraw to redraw, transparent) carry the kind of cell, the
   * highlights, the focus and the exact value (data-value). */
  function Grid(parent, role, label, owner, id) {
    CELL_NODE = CELL_NODE || el("div", { class: "cx-cell", role: "gridcell", tabindex: "-1" });
    this.role = role;
    this.owner = owner;
    this.id = id;
    this.wrap = el("figure", { class: "cx-gridwrap cx-" + role });
    this.caption = el("figcaption", { text: label });
    this.body = el("div", { class: "cx-grid", role: "grid", "aria-label": label,
                            "data-grid": id });
    this.canvas = el("canvas", { class: "cx-text", "aria-hidden": "true" });
    this.body.appendChild(this.canvas);
    this.wrap.appendChild(this.caption);
    this.wrap.appendChild(this.body);
    parent.appendChild(this.wrap);
    this.rows = [];
    this.cells = [];
    this.texts = [];
    this.inks = [];
    this.fills = [];
    this.nr = 0;
    this.nc = 0;
    this.focus = 0;
    this.dirty = false;
  }

  Grid.prototype.label = function (text) {
    if (this.caption.textContent !== text) {
      this.caption.textContent = text;
      this.body.setAttribute("aria-label", text);
    }
  };

  /** Show nr x nc cells. Rows and cells are made once and then only hidden and shown
   * again: making thousands of elements anew costs the browser far more. */
  Grid.prototype.resize = function (nr, nc) {
    if (nr === this.nr && nc === this.nc) return;
    var r, q, row;
    if (this.cells.length) this.cells[Math.max(0, this.focus)].setAttribute("tabindex", "-1");
    while (this.rows.length < nr) {
      row = el("div", { class: "cx-row", role: "row" });
      this.rows.push(row);
      this.body.appendChild(row);
    }
    for (r = 0; r < this.rows.length; r++) {
      if (this.rows[r].hidden !== r >= nr) this.rows[r].hidden = r >= nr;
    }
    this.cells = [];
    for (r = 0; r < nr; r++) {
      row = this.rows[r];
      if (row.children.length < nc) {
        var more = document.createDocumentFragment();
        for (q = row.children.length; q < nc; q++) more.appendChild(CELL_NODE.cloneNode(false));
        row.appendChild(more);
      }
      var kids = row.children;
      for (q = 0; q < kids.length; q++) {
        var cell = kids[q];
        if (cell.hidden !== q >= nc) cell.hidden = q >= nc;
        if (q >= nc) continue;
        cell.cxIndex = r * nc + q;
        cell.cxGrid = this;
        cell.cxState = cell.cxClass = null;
        this.cells.push(cell);
      }
    }
    this.nr = nr;
    this.nc = nc;
    this.size = nc > 24 ? "tiny" : nc > 14 ? "dense" : "normal";
    this.body.classList.toggle("cx-dense", this.size === "dense");
    this.body.classList.toggle("cx-tiny", this.size === "tiny");
    var pitch = CELL[this.size] - 1, ratio = window.devicePixelRatio || 1;
    var w = nc * pitch + 1, h = nr * pitch + 1;
    this.canvas.width = Math.ceil(w * ratio);
    this.canvas.height = Math.ceil(h * ratio);
    this.canvas.style.width = w + "px";
    this.canvas.style.height = h + "px";
    this.ratio = ratio;
    this.texts = new Array(nr * nc).fill("");
    this.inks = new Array(nr * nc).fill("");
    this.fills = new Array(nr * nc).fill("");
    this.dirty = true;
    this.focus = Math.min(this.focus, this.cells.length - 1);
    if (this.cells.length) this.cells[Math.max(0, this.focus)].setAttribute("tabindex", "0");
  };

  /** Show value v in cell k as kind "value", "padding", "outside" or "pending"; a value cell
   * is filled by its level of v / vmax. Only what changed is written; paint() writes the
   * numbers. */
  var PADDING_INK = "#555", PENDING_FILL = "#fafafa";

  Grid.prototype.set = function (k, v, kind, vmax) {
    var cell = this.cells[k], colors = this.owner.colors;
    if (cell.cxClass !== kind) {  // only the kind of cell is a class: it rarely changes
      cell.className = "cx-cell cx-" + kind;
      cell.cxClass = kind;
    }
    var fill = kind === "padding" ? "padding" : kind === "pending" ? PENDING_FILL : "", ink = PADDING_INK;
    if (kind === "value") {
      var level = isFinite(v) ? Math.round(8 * Math.max(-1, Math.min(1, v / vmax))) + 8 : 8;
      fill = colors.fills[this.role][level];
      ink = colors.inks[this.role][level];
    }
    if (this.fills[k] !== fill || this.inks[k] !== ink) {
      this.fills[k] = fill;
      this.inks[k] = ink;
      this.dirty = true;
    }
    var value = kind === "outside" || kind === "pending" ? null : v;
    if (cell.cxValue === value && cell.cxState === kind) return;
    cell.cxValue = value;
    cell.cxState = kind;
    this.dirty = true;
    if (value === null) {
      this.texts[k] = "";
      cell.removeAttribute("data-value");
    } else {
      this.texts[k] = E.formatValue(v);
      cell.setAttribute("data-value", isFinite(v) ? String(v) : v > 0 ? "inf" : "-inf");
    }
  };

  /** The value of cell k in words, for the cell that has the focus (screen readers). */
  Grid.prototype.spoken = function (k) {
    var cell = this.cells[k], text = this.texts[k];
    var kind = cell.cxState === "padding" ? "padding " : "";
    return kind + (text === "" ? "empty" : text.replace("\u2212", "minus "));
  };

  /** Write the numbers of every cell on the canvas, if anything changed: each distinct
   * number is drawn once into the explorer's atlas and copied from there to every cell. */
  Grid.prototype.paint = function () {
    if (!this.dirty) return;
    this.dirty = false;
    var ctx = this.canvas.getContext("2d"), size = CELL[this.size], pitch = size - 1;
    var ratio = this.ratio, atlas = this.owner.atlas, nc = this.nc, k, fill = null;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    // the fills first: one pixel per cell, stretched over the grid in one draw
    var image = ctx.createImageData(nc, this.nr), px = image.data, rgb = this.owner.rgb;
    for (k = 0; k < this.fills.length; k++) {
      var c = rgb[this.fills[k]];
      if (!c) continue;
      px[4 * k] = c[0]; px[4 * k + 1] = c[1]; px[4 * k + 2] = c[2]; px[4 * k + 3] = 255;
    }
    var pixels = this.owner.pixels;
    pixels.width = nc;
    pixels.height = this.nr;
    pixels.getContext("2d").putImageData(image, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(pixels, 0, 0, nc * pitch * ratio, this.nr * pitch * ratio);
    for (k = 0; k < this.fills.length; k++) {  // padding is hatched
      if (this.fills[k] !== "padding") continue;
      if (fill === null) { ctx.fillStyle = this.owner.hatch(ctx, ratio); fill = "padding"; }
      ctx.fillRect(Math.round((k % nc) * pitch * ratio), Math.round(Math.floor(k / nc) * pitch * ratio),
                   Math.ceil(pitch * ratio), Math.ceil(pitch * ratio));
    }
    var plain = FONT[this.size] + "px " + this.owner.font, italic = "italic " + plain;
    var half = size / 2;
    for (k = 0; k < this.texts.length; k++) {
      var text = this.texts[k];
      if (!text) continue;
      var glyph = atlas.get(text, this.cells[k].cxState === "padding" ? italic : plain,
                            this.inks[k], size, ratio);
      var x = Math.round(((k % this.nc) * pitch + half) * ratio - glyph.w / 2);
      var y = Math.round((Math.floor(k / this.nc) * pitch + half) * ratio - glyph.h / 2);
      ctx.drawImage(atlas.canvas, glyph.x, glyph.y, glyph.w, glyph.h, x, y, glyph.w, glyph.h);
    }
  };

  /** Numbers drawn once, in device pixels, for copying into cells. */
  function Atlas() {
    this.canvas = document.createElement("canvas");
    this.canvas.width = this.canvas.height = 1024;
    this.ctx = this.canvas.getContext("2d");
    this.reset();
  }

  Atlas.prototype.reset = function () {
    this.ctx.clearRect(0, 0, 1024, 1024);
    this.glyphs = {};
    this.x = this.y = this.row = 0;
  };

  Atlas.prototype.get = function (text, font, ink, size, ratio) {
    var key = ratio + font + ink + text, glyph = this.glyphs[key];
    if (glyph) return glyph;
    var ctx = this.ctx, px = font.replace(/(\d+)px/, function (m, n) { return n * ratio + "px"; });
    ctx.font = px;
    var most = (size - 3) * ratio;
    var w = Math.min(Math.ceil(ctx.measureText(text).width), most) + 2, h = Math.ceil(size * ratio);
    if (this.x + w > 1024) { this.x = 0; this.y += this.row; this.row = 0; }
    if (this.y + h > 1024) { this.reset(); ctx.font = px; }
    ctx.fillStyle = ink;
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.fillText(text, this.x + w / 2, this.y + h / 2, most);  // long numbers squeezed in
    glyph = { x: this.x, y: this.y, w: w, h: h };
    this.glyphs[key] = glyph;
    this.x += w;
    this.row = Math.max(this.row, h);
    return glyph;
  };

  function numberInput(id, label, min, max) {
    var input = el("input", { id: id, type: "number", min: String(min), max: String(max), step: "1",
                              inputmode: "numeric", class: "cx-num" });
    return { input: input, node: el("label", { for: id, class: "cx-axis" },
                                    [el("span", { text: label }), input]) };
  }

  function Explorer(root, config, index) {
    this.root = root;
    this.config = config;
    this.prefix = "cx" + index + "-";
    var ex = config.example;
    this.example = ex ? Object.assign({}, ex, { x: numbers(ex.x), weight: numbers(ex.weight),
                                                bias: numbers(ex.bias) }) : null;
    var d = config.digits;
    this.digits = d ? { count: d.shape[0], side: d.shape[1], pixels: decodeDigits(d.data) } : null;
    var st = JSON.parse(JSON.stringify(config.state));
    st.edits = {};
    this.state = st;
    this.step = null;   // null: all steps done
    this.timer = null;
    this.hovered = null;
    this.marked = [];
    this.build();
    this.writeControls();
    this.update();
  }

  /** A flat array as cnnbook.viz.explorer writes it: a list, or base64 float64 bytes. */
  function numbers(v) {
    if (v === null || v === undefined || typeof v !== "string") return v;
    var raw = atob(v), bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return Array.from(new Float64Array(bytes.buffer));
  }

  function decodeDigits(data) {
    var raw = atob(data), out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }

  // The hatching of padding cells as a canvas pattern (grey stripes, as explorer.css had).
  Explorer.prototype.hatch = function (ctx, ratio) {
    if (!this.pattern || this.patternRatio !== ratio) {
      var tile = document.createElement("canvas"), n = Math.round(6 * ratio);
      tile.width = tile.height = n;
      var t = tile.getContext("2d");
      t.fillStyle = "#e2e2e2";
      t.fillRect(0, 0, n, n);
      t.strokeStyle = this.colors.padding;
      t.lineWidth = 2.2 * ratio;
      t.beginPath();
      for (var d = -n; d <= n; d += n) { t.moveTo(d, n); t.lineTo(d + n, 0); }
      t.stroke();
      this.pattern = ctx.createPattern(tile, "repeat");
      this.patternRatio = ratio;
    }
    return this.pattern;
  };

  Explorer.prototype.build = function () {
    var self = this, p = this.prefix, c = {};
    this.controls = c;
    var colors = this.config.colors;
    ["input", "kernel", "output", "padding", "highlight", "negative"].forEach(function (role) {
      self.root.style.setProperty("--cx-" + role, colors[role]);
    });
    this.root.textContent = "";
    this.root.classList.add("cx-live");
    this.colors = palette(colors);
    this.rgb = this.colors.rgb;
    this.atlas = new Atlas();
    this.pixels = document.createElement("canvas");  // a scratch canvas for Grid.paint
    this.font = getComputedStyle(this.root).fontFamily || "sans-serif";
    var form = el("form", { class: "cx-controls", "aria-label": "explorer settings" });
    form.addEventListener("submit", function (e) { e.preventDefault(); });

    function select(name, label, options) {
      var s = el("select", { id: p + name });
      options.forEach(function (o) { s.appendChild(el("option", { value: o[0], text: o[1] })); });
      c[name] = s;
      var node = el("div", { class: "cx-field cx-f-" + name },
                    [el("label", { for: p + name, text: label }), s]);
      form.appendChild(node);
      return node;
    }
    function pair(name, legend, hint, labels, min, max) {
      var h = numberInput(p + name + "-h", labels[0], min, max);
      var w = numberInput(p + name + "-w", labels[1], min, max);
      c[name] = [h.input, w.input];
      var fs = el("fieldset", { class: "cx-field cx-pair cx-f-" + name },
                  [el("legend", { text: legend, title: hint }), h.node, w.node]);
      form.appendChild(fs);
      return fs;
    }
    function single(name, label, min, max) {
      var n = numberInput(p + name, label, min, max);
      c[name] = n.input;
      var node = el("div", { class: "cx-field cx-f-" + name }, [n.node]);
      form.appendChild(node);
      return node;
    }
    function check(name, label) {
      var box = el("input", { id: p + name, type: "checkbox" });
      c[name] = box;
      var node = el("div", { class: "cx-field cx-check cx-f-" + name },
                    [box, el("label", { for: p + name, text: label })]);
      form.appendChild(node);
      return node;
    }

    select("op", "operation", OPS);
    select("dims", "dimensions", [["1", "1-D"], ["2", "2-D"]]);
    var sources = [];
    if (this.example) sources.push(["example", "this page's example"]);
    sources.push(["random", "random integers"]);
    if (this.digits) sources.push(["digit", "MNIST digits"]);
    var src = select("source", "input values", sources);
    c.fresh = el("button", { type: "button", class: "cx-button", text: "new example" });
    src.appendChild(c.fresh);
    pair("size", "input size", "cells per axis", ["H", "W"], 1, 32);
    single("inChannels", "channels in C_in", 1, MAX.channels);
    single("outChannels", "channels out C_out", 1, MAX.channels);
    single("groups", "groups g", 1, MAX.channels);
    pair("kernelSize", "kernel size k", "taps per axis", ["k_h", "k_w"], 1, MAX.kernel);
    pair("stride", "stride s", "cells the window moves per step", ["s_h", "s_w"], 1, 8);
    var padNode = pair("padding", "padding p", "cells added on each side", ["p_h", "p_w"], 0, 16);
    var kind = el("select", { id: p + "padKind", "aria-label": "padding kind" });
    [["numbers", "numbers"], ["valid", "\"valid\""], ["same", "\"same\""]].forEach(function (o) {
      kind.appendChild(el("option", { value: o[0], text: o[1] }));
    });
    c.padKind = kind;
    padNode.insertBefore(el("label", { for: p + "padKind", class: "cx-axis" },
                            [el("span", { text: "kind" }), kind]), padNode.children[1]);
    pair("dilation", "dilation d", "spacing between the kernel's taps", ["d_h", "d_w"], 1, 8);
    select("paddingMode", "padding mode", [["zeros", "zeros"], ["reflect", "reflect"],
                                           ["replicate", "replicate"], ["circular", "circular"]]);
    pair("outputPadding", "output_padding", "cells added at the bottom/right", ["h", "w"], 0, 7);
    check("ceilMode", "ceil_mode");
    check("countIncludePad", "count_include_pad");

    this.message = el("p", { class: "cx-message", role: "status", "aria-live": "polite" });
    this.formula = el("div", { class: "cx-formula", "aria-label": "output size" });
    var steps = el("div", { class: "cx-steps" });
    function button(name, text, label) {
      c[name] = el("button", { type: "button", class: "cx-button", "aria-label": label, text: text });
      steps.appendChild(c[name]);
    }
    button("first", "|\u25c0", "first step");
    button("back", "\u25c0", "previous step");
    button("play", "\u25b6 play", "play");
    button("next", "\u25b6", "next step");
    button("last", "\u25b6|", "last step");
    c.slider = el("input", { id: p + "slider", type: "range", min: "1", max: "1", value: "1",
                             class: "cx-slider", "aria-label": "step" });
    steps.appendChild(c.slider);
    this.stepLabel = el("span", { class: "cx-steplabel", "aria-live": "off" });
    steps.appendChild(this.stepLabel);
    this.stepText = el("p", { class: "cx-steptext" });
    this.hint = el("p", { class: "cx-hint", text: "Hover, tap or focus an output cell to see " +
                          "its window; an input cell, to see every output it reaches. Enter " +
                          "on a cell of x or w edits its value." });

    var grids = el("div", { class: "cx-grids" });
    this.sections = {};
    ["input", "kernel", "output"].forEach(function (role) {
      var section = el("section", { class: "cx-section cx-s-" + role });
      section.appendChild(el("h4", { class: "cx-heading" }));
      section.appendChild(el("p", { class: "cx-shape" }));
      section.appendChild(el("div", { class: "cx-channels" }));
      grids.appendChild(section);
      self.sections[role] = { node: section, heading: section.children[0],
                              shape: section.children[1], box: section.children[2], grids: [] };
    });
    this.code = el("code", { class: "language-python" });
    c.copy = el("button", { type: "button", class: "cx-button cx-copy", text: "copy code" });
    var codeBox = el("div", { class: "cx-codebox" }, [
      el("p", { class: "cx-codetitle", text: "The same layer in PyTorch (runnable as is):" }),
      el("pre", { class: "cx-code" }, [this.code]), c.copy]);

    this.root.appendChild(form);
    this.root.appendChild(this.message);
    this.root.appendChild(this.formula);
    this.root.appendChild(steps);
    this.root.appendChild(this.stepText);
    this.root.appendChild(grids);
    this.root.appendChild(this.hint);
    this.root.appendChild(codeBox);
    this.editor = el("input", { type: "text", inputmode: "decimal", class: "cx-editor" });
    this.bind();
  };

  Explorer.prototype.bind = function () {
    var self = this, c = this.controls, st = this.state;
    function num(input) { return input.value.trim() === "" ? NaN : Number(input.value); }
    function onChange() { self.readControls(); self.update(); }
    Object.keys(c).forEach(function (name) {
      var ctl = c[name];
      var list = Array.isArray(ctl) ? ctl : [ctl];
      list.forEach(function (node) {
        if (node.tagName === "SELECT" || node.tagName === "INPUT" && node.type !== "range") {
          node.addEventListener(node.type === "checkbox" || node.tagName === "SELECT" ? "change" : "input", onChange);
        }
      });
    });
    this.num = num;
    c.fresh.addEventListener("click", function () {
      if (st.source === "digit") st.digit = (st.digit + 1) % self.digits.count;
      else {
        if (st.source === "example") { st.source = "random"; c.source.value = "random"; }
        st.seed += 1;
      }
      st.edits = {};
      self.update();
    });
    c.slider.addEventListener("input", function () { self.goto(Number(c.slider.value)); });
    c.first.addEventListener("click", function () { self.stop(); self.goto(1); });
    c.back.addEventListener("click", function () { self.stop(); self.goto(self.current() - 1); });
    c.next.addEventListener("click", function () { self.stop(); self.goto(self.current() + 1); });
    c.last.addEventListener("click", function () { self.stop(); self.goto(self.steps); });
    c.play.addEventListener("click", function () { if (self.timer) self.stop(); else self.play(); });
    c.copy.addEventListener("click", function () { self.copy(); });
    var grids = this.root.querySelector(".cx-grids");
    grids.addEventListener("mouseover", function (e) { var cell = cellOf(e.target); if (cell) self.hover(cell); });
    grids.addEventListener("mouseleave", function () { if (!grids.contains(document.activeElement)) self.unhover(); });
    grids.addEventListener("focusin", function (e) { var cell = cellOf(e.target); if (cell) { self.roving(cell); self.hover(cell); } });
    grids.addEventListener("focusout", function (e) { if (!grids.contains(e.relatedTarget)) self.unhover(); });
    grids.addEventListener("click", function (e) { var cell = cellOf(e.target); if (cell && cell !== document.activeElement) cell.focus(); });
    grids.addEventListener("dblclick", function (e) { var cell = cellOf(e.target); if (cell) self.edit(cell); });
    grids.addEventListener("keydown", function (e) { self.key(e); });
  };

  function cellOf(node) {
    while (node && node.classList && !node.classList.contains("cx-cell")) node = node.parentNode;
    return node && node.cxGrid ? node : null;
  }

  Explorer.prototype.writeControls = function () {
    var st = this.state, c = this.controls;
    c.op.value = st.op;
    c.dims.value = String(st.dims);
    c.source.value = st.source;
    ["size", "kernelSize", "stride", "padding", "dilation", "outputPadding"].forEach(function (name) {
      c[name][0].value = String(st[name][0]);
      c[name][1].value = String(st[name][1]);
    });
    c.inChannels.value = String(st.inChannels);
    c.outChannels.value = String(st.outChannels);
    c.groups.value = String(st.groups);
    c.padKind.value = st.padKind;
    c.paddingMode.value = st.paddingMode;
    c.ceilMode.checked = st.ceilMode;
    c.countIncludePad.checked = st.countIncludePad;
  };

  Explorer.prototype.readControls = function () {
    var st = this.state, c = this.controls, num = this.num, bad = [];
    st.op = c.op.value;
    st.dims = Number(c.dims.value);
    if (c.source.value !== st.source) { st.source = c.source.value; st.edits = {}; }
    ["size", "kernelSize", "stride", "padding", "dilation", "outputPadding"].forEach(function (name) {
      [0, 1].forEach(function (a) {
        var v = num(c[name][a]);
        if (!isFinite(v) || Math.floor(v) !== v) bad.push(c[name][a].previousSibling.textContent);
        else st[name][a] = v;
      });
    });
    ["inChannels", "outChannels", "groups"].forEach(function (name) {
      var v = num(c[name]);
      if (!isFinite(v) || Math.floor(v) !== v) bad.push(name);
      else st[name] = v;
    });
    st.padKind = c.padKind.value;
    st.paddingMode = c.paddingMode.value;
    st.ceilMode = c.ceilMode.checked;
    st.countIncludePad = c.countIncludePad.checked;
    this.badInputs = bad;
  };

  // which controls an operation shows
  function shown(op, name, st) {
    var pool = op === "max_pool" || op === "avg_pool";
    if (name === "outChannels" || name === "groups") return !pool;
    if (name === "paddingMode") return op === "conv" || op === "convolve";
    if (name === "outputPadding") return op === "transpose";
    if (name === "ceilMode") return pool;
    if (name === "countIncludePad") return op === "avg_pool";
    if (name === "dilation") return op !== "avg_pool";
    if (name === "padKind") return op === "conv" || op === "convolve";
    if (name === "padding-numbers") return st.padKind === "numbers" || !(op === "conv" || op === "convolve");
    return true;
  }

  Explorer.prototype.showControls = function () {
    var st = this.state, root = this.root, self = this;
    ["outChannels", "groups", "paddingMode", "outputPadding", "ceilMode", "countIncludePad",
     "dilation"].forEach(function (name) {
      root.querySelector(".cx-f-" + name).hidden = !shown(st.op, name, st);
    });
    var kindLabel = this.controls.padKind.parentNode;
    kindLabel.hidden = !shown(st.op, "padKind", st);
    if (kindLabel.hidden && st.padKind !== "numbers") { st.padKind = "numbers"; this.controls.padKind.value = "numbers"; }
    var numbers = shown(st.op, "padding-numbers", st);
    this.controls.size[1].max = String(E.LIMITS.size[st.dims]);  // 1-D signals may be longer
    ["size", "kernelSize", "stride", "padding", "dilation", "outputPadding"].forEach(function (name) {
      var h = self.controls[name][0].parentNode, w = self.controls[name][1].parentNode;
      h.hidden = st.dims === 1 || (name === "padding" && !numbers);
      w.hidden = name === "padding" && !numbers;
      w.firstChild.textContent = st.dims === 1 ? (name === "size" ? "L" : w.firstChild.textContent.replace(/_w$/, "")) :
        ({ size: "W", kernelSize: "k_w", stride: "s_w", padding: "p_w", dilation: "d_w", outputPadding: "w" })[name];
    });
  };

  Explorer.prototype.update = function () {
    var st = this.state;
    this.showControls();
    var setting = settingOf(st);
    setting.bias = false;
    var result;
    if (this.badInputs && this.badInputs.length) {
      result = { ok: false, category: "input",
                 reason: "Type a whole number for " + this.badInputs.join(", ") + "." };
    } else {
      var arrays = this.drawable(setting) ? arraysOf(st, this.example, this.digits) : null;
      result = E.compute(setting, arrays ? arrays.x : [], arrays ? arrays.weight : null,
                         arrays ? arrays.bias : null);
      this.rawX = arrays ? arrays.x : null;
      setting.bias = !!(arrays && arrays.bias);
    }
    this.setting = setting;
    this.result = result;
    this.render();
  };

  // Whether the setting's input (and weight) can be drawn at all: whole numbers within the
  // explorer's limits (the layer itself may still be refused).
  Explorer.prototype.drawable = function (s) {
    var dims = s.dims, ok = true;
    function whole(v, low, high) { ok = ok && Math.floor(v) === v && v >= low && v <= high; }
    s.size.forEach(function (v) { whole(v, 1, E.LIMITS.size[dims]); });
    s.kernelSize.forEach(function (v) { whole(v, 1, E.LIMITS.kernel); });
    whole(s.inChannels, 1, E.LIMITS.channels);
    whole(s.outChannels, 1, E.LIMITS.channels);
    whole(s.groups, 1, E.LIMITS.channels);
    return ok;
  };

  // A refused setting still shows its input as it is (no padding), when it can be drawn.
  Explorer.prototype.drawRawInput = function () {
    var s = this.setting, sec = this.sections.input;
    if (!this.rawX) { sec.box.hidden = true; sec.shape.textContent = ""; return; }
    sec.box.hidden = false;
    var C = s.inChannels, H = s.dims === 2 ? s.size[0] : 1, W = s.size[s.dims - 1];
    sec.heading.textContent = "input x";
    sec.shape.textContent = "x: " + shapeText([C].concat(s.size));
    var x = this.rawX, vmax = vmaxOf(x);
    this.channelGrids("input", C, function (c) { return C > 1 ? "channel " + c : "x"; })
      .forEach(function (g, c) {
        g.resize(H, W);
        g.kind = "input";
        for (var k = 0; k < H * W; k++) g.set(k, x[c * H * W + k], "value", vmax);
        g.paint();
      });
  };

  Explorer.prototype.render = function () {
    var r = this.result, self = this;
    this.root.classList.toggle("cx-refused", !r.ok);
    this.code.textContent = E.torchCode(this.setting, r);
    if (!r.ok) {
      this.stop();
      this.message.textContent = (r.category === "limit" || r.category === "input" ? "" :
                                  "PyTorch refuses this setting. ") + r.reason;
      this.message.className = "cx-message cx-error";
      this.formula.textContent = "";
      this.steps = 0;
      this.controls.slider.max = "1";
      this.stepLabel.textContent = "";
      this.stepText.textContent = "";
      this.sections.output.shape.textContent = "";
      this.sections.output.shape.removeAttribute("data-shape");
      this.sections.output.node.hidden = true;
      this.sections.kernel.node.hidden = true;
      this.clearMarks();
      this.drawRawInput();
      return;
    }
    this.sections.output.node.hidden = false;
    this.sections.kernel.node.hidden = false;
    this.sections.input.box.hidden = false;
    var note = E.ceilNote(r);
    var edits = Object.keys(this.state.edits).length;
    this.message.className = "cx-message";
    this.message.textContent = (note ? "ceil_mode: " + note + ". " : "") +
      (edits ? "You edited " + edits + " value" + (edits > 1 ? "s" : "") + "; \u201cnew example\u201d clears them." : "");
    var lines = E.sizeFormulas(r);
    this.formula.textContent = "";
    lines.forEach(function (line) { self.formula.appendChild(el("div", { class: "cx-formula-line", text: line })); });
    this.drawInput();
    this.drawKernel();
    this.drawOutput();
    this.steps = r.out.length;
    this.controls.slider.max = String(this.steps);
    if (!this.timer) this.step = null;
    else this.step = Math.min(this.step, this.steps);
    this.showStep();
  };

  function shapeText(shape) { return shape.join(" \u00d7 "); }

  function vmaxOf(values) {
    var m = 0;
    for (var i = 0; i < values.length; i++) if (isFinite(values[i])) m = Math.max(m, Math.abs(values[i]));
    return m || 1;
  }

  Explorer.prototype.channelGrids = function (role, count, label) {
    var sec = this.sections[role];  // grids, too, are kept and hidden when not needed
    sec.pool = sec.pool || [];
    while (sec.pool.length < count) {
      sec.pool.push(new Grid(sec.box, role, "", this, role + sec.pool.length));
    }
    sec.pool.forEach(function (g, i) { if (g.wrap.hidden !== i >= count) g.wrap.hidden = i >= count; });
    sec.grids = sec.pool.slice(0, count);
    sec.grids.forEach(function (g, i) { g.index = i; g.label(label(i)); });
    return sec.grids;
  };

  Explorer.prototype.drawInput = function () {
    var r = this.result, s = r.setting, sec = this.sections.input, self = this;
    var C = r.inShape[0], H = r.inShape[1], W = r.inShape[2], HW = H * W;
    var names = s.dims === 2 ? "C_in \u00d7 H \u00d7 W" : "C_in \u00d7 L";
    var padded = r.canvas && (r.canvas.H > H || r.canvas.W > W);
    sec.heading.textContent = "input x" + (padded ? " (padded)" : "");
    sec.shape.textContent = "x: " + shapeText([C].concat(s.size)) + "  (" + names + ")";
    var vmax = vmaxOf(r.x);
    var pool = s.op === "max_pool" || s.op === "avg_pool";
    var grids = this.channelGrids("input", C, function (c) {
      return C > 1 ? "channel " + c : "x";
    });
    // cells a ceil_mode window reaches past the padding are drawn too, dashed
    var rows = H, cols = W;
    if (r.canvas) {
      rows = r.canvas.H; cols = r.canvas.W;
      var last = r.taps(r.out.length - 1);
      last.forEach(function (t) { rows = Math.max(rows, t.row + 1); cols = Math.max(cols, t.col + 1); });
    }
    var top = r.pads[0][0], left = r.pads[1][0];
    grids.forEach(function (g, c) {
      g.resize(rows, cols);
      g.kind = "input";
      for (var pr = 0; pr < rows; pr++) {
        for (var pc = 0; pc < cols; pc++) {
          var k = pr * cols + pc;
          if (!r.canvas) { g.set(k, r.x[c * HW + k], "value", vmax); continue; }
          if (pr >= r.canvas.H || pc >= r.canvas.W) { g.set(k, 0, "outside"); continue; }
          var src = r.canvas.src[pr * r.canvas.W + pc];
          var inside = pr >= top && pr < top + H && pc >= left && pc < left + W;
          if (inside) g.set(k, r.x[c * HW + src], "value", vmax);
          else if (src >= 0) g.set(k, r.x[c * HW + src], "padding");
          else g.set(k, s.op === "max_pool" ? -Infinity : 0, "padding");
        }
      }
      g.paint();
    });
    this.inputGeometry = { rows: rows, cols: cols, top: top, left: left };
    void self;
  };

  Explorer.prototype.drawKernel = function () {
    var r = this.result, s = r.setting, sec = this.sections.kernel;
    var kh = r.kernel[0], kw = r.kernel[1];
    if (!r.weightShape) {
      sec.heading.textContent = "window";
      sec.shape.textContent = (s.op === "max_pool" ? "max" : "mean") + " over a " +
        (s.dims === 2 ? kh + " \u00d7 " + kw : kw) + " window" +
        (r.dilation[0] * r.dilation[1] > 1 ? ", dilation " + s.dilation.join(" \u00d7 ") : "");
      this.channelGrids("kernel", 0);
      return;
    }
    var ws = r.weightShape;
    var t = s.op === "transpose";
    sec.heading.textContent = "kernel w" + (s.op === "convolve" ? " (slides turned by 180\u00b0)" : "");
    sec.shape.textContent = "w: " + shapeText(ws) + "  (" +
      (t ? "C_in \u00d7 C_out/g" : "C_out \u00d7 C_in/g") + (s.dims === 2 ? " \u00d7 k_h \u00d7 k_w)" : " \u00d7 k)") +
      (r.bias ? ";  bias b: " + Array.prototype.map.call(r.bias, E.formatValue).join(", ") : "");
    var n = ws[0] * ws[1], vmax = vmaxOf(r.weight);
    var grids = this.channelGrids("kernel", n, function (i) {
      return n > 1 ? "w[" + Math.floor(i / ws[1]) + ", " + (i % ws[1]) + "]" : "w";
    });
    grids.forEach(function (g, i) {
      g.resize(kh, kw);
      g.kind = "kernel";
      for (var k = 0; k < kh * kw; k++) g.set(k, r.weight[i * kh * kw + k], "value", vmax);
      g.paint();
    });
  };

  Explorer.prototype.drawOutput = function () {
    var r = this.result, s = r.setting, sec = this.sections.output;
    var Co = r.outShape[0];
    sec.heading.textContent = "output y";
    sec.shape.textContent = "y: " + shapeText(r.shape) + "  (" +
      (s.dims === 2 ? "C_out \u00d7 H_out \u00d7 W_out" : "C_out \u00d7 L_out") + ")";
    sec.shape.setAttribute("data-shape", JSON.stringify(r.shape));
    var group = s.groups > 1 ? Co / s.groups : 0;
    this.channelGrids("output", Co, function (o) {
      return Co > 1 ? "channel " + o + (group ? " (group " + Math.floor(o / group) + ")" : "") : "y";
    }).forEach(function (g) { g.resize(r.outShape[1], r.outShape[2]); g.kind = "output"; });
    this.outputVmax = vmaxOf(r.out);
  };

  // --- steps ----------------------------------------------------------------------------

  Explorer.prototype.current = function () { return this.step === null ? this.steps : this.step; };

  Explorer.prototype.goto = function (n) {
    if (!this.result.ok) return;
    this.step = Math.max(1, Math.min(this.steps, n));
    this.showStep();
  };

  Explorer.prototype.play = function () {
    var self = this;
    if (!this.result.ok) return;
    if (this.current() >= this.steps) this.step = 0;
    this.controls.play.textContent = "\u2016 pause";
    this.controls.play.setAttribute("aria-label", "pause");
    this.timer = setInterval(function () {
      if (self.current() >= self.steps) { self.stop(); return; }
      self.goto(self.current() + 1);
    }, PLAY_MS);
    this.goto(this.current() + 1);
  };

  Explorer.prototype.stop = function () {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.controls.play.textContent = "\u25b6 play";
    this.controls.play.setAttribute("aria-label", "play");
  };

  Explorer.prototype.showStep = function () {
    var r = this.result, n = this.current(), grids = this.sections.output.grids;
    var per = r.outShape[1] * r.outShape[2], vmax = this.outputVmax;
    for (var o = 0; o < r.out.length; o++) {
      grids[Math.floor(o / per)].set(o % per, r.out[o], o < n ? "value" : "pending", vmax);
    }
    grids.forEach(function (g) { g.paint(); });
    this.controls.slider.value = String(n);
    var cell = r.cell(n - 1);
    this.stepLabel.textContent = "step " + n + " of " + this.steps;
    this.stepText.textContent = this.cellName(cell) + " = " + E.stepText(r, n - 1);
    if (!this.hovered) this.markOutput(n - 1);
  };

  Explorer.prototype.cellName = function (cell) {
    var two = this.result.dims === 2;
    return "y[" + cell[0] + ", " + (two ? cell[1] + ", " : "") + cell[2] + "]";
  };

  // --- highlights ---------------------------------------------------------------------

  Explorer.prototype.clearMarks = function () {
    this.marked.forEach(function (m) { m[0].classList.remove(m[1]); });
    this.marked = [];
  };

  Explorer.prototype.mark = function (cell, cls) {
    if (!cell) return;
    cell.classList.add(cls);
    this.marked.push([cell, cls]);
  };

  // The input-grid cell that shows input cell i (flat), and its padding copies.
  Explorer.prototype.inputCells = function (i) {
    var r = this.result, g = this.inputGeometry, HW = r.inShape[1] * r.inShape[2];
    var c = Math.floor(i / HW), local = i % HW, W = r.inShape[2];
    var grid = this.sections.input.grids[c], out = [];
    if (!r.canvas) return { main: grid.cells[local], copies: [] };
    var main = grid.cells[(Math.floor(local / W) + g.top) * g.cols + (local % W) + g.left];
    for (var pr = 0; pr < r.canvas.H; pr++) {
      for (var pc = 0; pc < r.canvas.W; pc++) {
        var inside = pr >= g.top && pr < g.top + r.inShape[1] && pc >= g.left && pc < g.left + W;
        if (!inside && r.canvas.src[pr * r.canvas.W + pc] === local) out.push(grid.cells[pr * g.cols + pc]);
      }
    }
    return { main: main, copies: out };
  };

  Explorer.prototype.markOutput = function (o) {
    var r = this.result, self = this, g = this.inputGeometry;
    this.clearMarks();
    var per = r.outShape[1] * r.outShape[2];
    this.mark(this.sections.output.grids[Math.floor(o / per)].cells[o % per], "cx-current");
    var taps = r.taps(o), win = r.setting.op === "max_pool" ? r.winner(o) : -1;
    var kgrids = this.sections.kernel.grids, kk = r.kernel[0] * r.kernel[1];
    taps.forEach(function (t, n) {
      var grid = self.sections.input.grids[t.c];
      var cell = r.canvas ? grid.cells[t.row * g.cols + t.col] : grid.cells[t.row * r.inShape[2] + t.col];
      self.mark(cell, n === win ? "cx-winner" : "cx-window");
      if (r.canvas && t.src >= 0) {
        var local = t.src % (r.inShape[1] * r.inShape[2]);
        var inside = t.row >= g.top && t.row < g.top + r.inShape[1] && t.col >= g.left && t.col < g.left + r.inShape[2];
        if (!inside) self.mark(self.inputCells(t.c * r.inShape[1] * r.inShape[2] + local).main, "cx-field");
      }
      if (t.w >= 0) self.mark(kgrids[Math.floor(t.w / kk)].cells[t.w % kk], "cx-window");
    });
  };

  Explorer.prototype.markInput = function (i) {
    var r = this.result, self = this;
    this.clearMarks();
    var cells = this.inputCells(i);
    this.mark(cells.main, "cx-current");
    cells.copies.forEach(function (c) { self.mark(c, "cx-field"); });
    var per = r.outShape[1] * r.outShape[2], grids = this.sections.output.grids;
    r.reach(i).forEach(function (o) { self.mark(grids[Math.floor(o / per)].cells[o % per], "cx-reached"); });
  };

  // Input cell (flat index) shown by a cell of an input grid, or -1 for padding.
  Explorer.prototype.inputIndex = function (cell) {
    var r = this.result, g = this.inputGeometry, grid = cell.cxGrid;
    var HW = r.inShape[1] * r.inShape[2];
    if (!r.canvas) return grid.index * HW + cell.cxIndex;
    var pr = Math.floor(cell.cxIndex / g.cols), pc = cell.cxIndex % g.cols;
    if (pr >= r.canvas.H || pc >= r.canvas.W) return -1;
    var src = r.canvas.src[pr * r.canvas.W + pc];
    var inside = pr >= g.top && pr < g.top + r.inShape[1] && pc >= g.left && pc < g.left + r.inShape[2];
    return src >= 0 ? grid.index * HW + src + (inside ? 0 : 0) : -1;
  };

  Explorer.prototype.hover = function (cell) {
    if (!this.result.ok) return;
    var grid = cell.cxGrid;
    this.hovered = cell;
    if (grid.kind === "output") {
      var o = grid.index * this.result.outShape[1] * this.result.outShape[2] + cell.cxIndex;
      this.markOutput(o);
      this.stepText.textContent = this.cellName(this.result.cell(o)) + " = " + E.stepText(this.result, o);
    } else if (grid.kind === "input") {
      var i = this.inputIndex(cell);
      if (i >= 0) {
        this.markInput(i);
        var n = this.result.reach(i).length, ic = this.result.inputCell(i);
        this.stepText.textContent = "x[" + ic[0] + ", " + (this.result.dims === 2 ? ic[1] + ", " : "") +
          ic[2] + "] reaches " + n + " output cell" + (n === 1 ? "" : "s") + ".";
      } else {
        this.clearMarks();
        this.mark(cell, "cx-current");
      }
    }
  };

  Explorer.prototype.unhover = function () {
    this.hovered = null;
    if (this.result.ok) this.showStep();
  };

  // --- keyboard and editing -----------------------------------------------------------

  Explorer.prototype.roving = function (cell) {
    var grid = cell.cxGrid;
    var old = grid.cells[grid.focus];
    if (old && old !== cell) old.setAttribute("tabindex", "-1");
    cell.setAttribute("tabindex", "0");
    cell.setAttribute("aria-label", grid.spoken(cell.cxIndex));
    grid.focus = cell.cxIndex;
  };

  Explorer.prototype.key = function (e) {
    if (e.target === this.editor) return;
    var cell = cellOf(e.target);
    if (!cell) return;
    var grid = cell.cxGrid, k = cell.cxIndex, r = Math.floor(k / grid.nc), q = k % grid.nc;
    var moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    if (moves[e.key]) {
      var nr = Math.max(0, Math.min(grid.nr - 1, r + moves[e.key][0]));
      var nq = Math.max(0, Math.min(grid.nc - 1, q + moves[e.key][1]));
      grid.cells[nr * grid.nc + nq].focus();
      e.preventDefault();
    } else if (e.key === "Home" || e.key === "End") {
      grid.cells[e.key === "Home" ? 0 : grid.cells.length - 1].focus();
      e.preventDefault();
    } else if (e.key === "Enter" || e.key === "F2" || /^[-0-9.]$/.test(e.key)) {
      if (this.edit(cell, /^[-0-9.]$/.test(e.key) ? e.key : null)) e.preventDefault();
    }
  };

  // The state key of the array entry a cell shows ("x0,1,2" / "w0,0,1,1"), or null.
  Explorer.prototype.entryKey = function (cell) {
    var grid = cell.cxGrid, r = this.result;
    if (grid.kind === "kernel") {
      var ws = r.weightShape, kw = r.kernel[1];
      var a = Math.floor(grid.index / ws[1]), b = grid.index % ws[1];
      return "w" + a + "," + b + "," + Math.floor(cell.cxIndex / kw) + "," + (cell.cxIndex % kw);
    }
    if (grid.kind !== "input" || !cell.classList.contains("cx-value")) return null;
    var i = this.inputIndex(cell);
    if (i < 0) return null;
    var ic = r.inputCell(i);
    return "x" + ic[0] + "," + ic[1] + "," + ic[2];
  };

  Explorer.prototype.edit = function (cell, first) {
    if (!this.result.ok) return false;
    var key = this.entryKey(cell), self = this, editor = this.editor;
    if (!key) return false;
    editor.value = first === null || first === undefined ? (cell.getAttribute("data-value") || "") : first;
    editor.setAttribute("aria-label", "new value for " + key.charAt(0) + "[" + key.slice(1).replace(/,/g, ", ") + "]");
    cell.classList.add("cx-editing");
    cell.appendChild(editor);
    editor.focus();
    var done = false;
    function finish(commit) {
      if (done) return;
      done = true;
      editor.onkeydown = editor.onblur = null;
      var v = Number(editor.value.replace("\u2212", "-"));
      if (editor.parentNode) editor.parentNode.removeChild(editor);
      cell.classList.remove("cx-editing");
      if (commit && editor.value.trim() !== "" && isFinite(v)) {
        self.state.edits[key] = v;
        if (self.state.source === "example" && !self.example) self.state.source = "random";
        self.update();
      }
      var again = self.cellAt(cell);
      if (again) again.focus();
    }
    editor.onkeydown = function (e) {
      if (e.key === "Enter") { e.preventDefault(); finish(true); }
      else if (e.key === "Escape") { e.preventDefault(); finish(false); }
    };
    editor.onblur = function () { finish(true); };
    return true;
  };

  Explorer.prototype.cellAt = function (cell) {
    var grid = cell.cxGrid;
    return grid.cells[cell.cxIndex] || null;
  };

  Explorer.prototype.copy = function () {
    var text = this.code.textContent, button = this.controls.copy;
    function said(word) { button.textContent = word; setTimeout(function () { button.textContent = "copy code"; }, 1500); }
    try {
      navigator.clipboard.writeText(text).then(function () { said("copied"); },
                                               function () { said("select and copy"); });
    } catch (err) {
      var range = document.createRange();
      range.selectNodeContents(this.code);
      var sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      said("selected");
    }
  };

  var instances = [];
  /** Turn every explorer <div> of the document that is not live yet into a widget. */
  function mountAll(doc) {
    doc = doc || document;
    var nodes = doc.querySelectorAll("div.cnnbook-explorer");
    for (var i = 0; i < nodes.length; i++) {
      var node = nodes[i];
      if (node.getAttribute("data-mounted")) continue;
      node.setAttribute("data-mounted", "1");
      var config = JSON.parse(node.querySelector("script.cx-config").textContent);
      var live = node.querySelector(".cx-app");
      var explorer = new Explorer(live, config, instances.length);
      node.cnnbookExplorer = explorer;
      instances.push(explorer);
    }
    return instances;
  }

  return {
    Explorer: Explorer,
    arraysOf: arraysOf,
    generator: generator,
    instances: instances,
    mountAll: mountAll,
    numbers: numbers,
    randomBlock: randomBlock,
    settingOf: settingOf,
  };
});
