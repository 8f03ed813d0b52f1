"""How fast the convolution explorer redraws, and how many bytes it adds to its page.

Run after the book is built: ``python benchmarks/explorer_redraw.py [--html _build/html]
[--page chapters/explorer] [--changes 80]``. It opens the Explorer page in Debian's headless
Chromium, sets a 32 x 32 input and a 5 x 5 kernel, then changes one setting after another
(stride, padding, dilation, padding mode, true convolution, channels) and times each change
in the page: from the control's event to the end of the layout it causes (the engine's
computation, the cells' text and classes, the browser's style and layout; not the paint).
Each change is timed in several runs and counts its fastest, as other programs on a shared
machine only ever add time. It prints the median (the target is one frame, 16 ms) and the
bytes of the page's explorer outputs (JavaScript, CSS, settings, arrays, digits and the
noscript picture; target 300 kB).
"""

from __future__ import annotations

import argparse
import re
import statistics
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]

# What one explorer output is in the built page: from its div to its mount script.
OUTPUT = re.compile(r'<div class="cnnbook-explorer".*?mountAll\(\);</script></div>', re.S)

# Apply [control id suffix, value] pairs one by one; time each from event to layout.
TIME_JS = """([prefix, changes]) => {
  const times = [];
  for (const [name, value] of changes) {
    const control = document.getElementById(prefix + name);
    const start = performance.now();
    control.value = String(value);
    const event = control.tagName === 'SELECT' ? 'change' : 'input';
    control.dispatchEvent(new Event(event, {bubbles: true}));
    void document.body.offsetHeight;  // finish style and layout
    times.push(performance.now() - start);
  }
  return times;
}"""

SETUP = [["size-h", 32], ["size-w", 32], ["kernelSize-h", 5], ["kernelSize-w", 5],
         ["stride-h", 1], ["stride-w", 1], ["padding-h", 2], ["padding-w", 2]]

CYCLE = [["stride-h", 2], ["stride-w", 2], ["stride-h", 1], ["stride-w", 1],
         ["padding-h", 0], ["padding-w", 0], ["padding-h", 2], ["padding-w", 2],
         ["dilation-h", 2], ["dilation-w", 2], ["dilation-h", 1], ["dilation-w", 1],
         ["paddingMode", "reflect"], ["paddingMode", "circular"], ["paddingMode", "zeros"],
         ["op", "convolve"], ["op", "conv"], ["outChannels", 1], ["outChannels", 2]]


def page_weight(html: Path) -> int:
    """Bytes of every explorer output in the built page's HTML."""
    return sum(len(m.group(0).encode()) for m in OUTPUT.finditer(html.read_text("utf-8")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, default=Path("_build/html"),
                        help="the built book's HTML folder (default _build/html)")
    parser.add_argument("--page", default="chapters/explorer", help="the page, no suffix")
    parser.add_argument("--changes", type=int, default=80, help="timed changes (default 80)")
    parser.add_argument("--repeats", type=int, default=5,
                        help="runs of the changes; each change counts its fastest run, since "
                             "other programs on the machine only ever add time (default 5)")
    args = parser.parse_args()
    html = (args.html / f"{args.page}.html").resolve()
    if not html.exists():
        parser.error(f"no built page {html}: build the book first (make book)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(html.as_uri(), wait_until="load")
        app = page.locator("div.cnnbook-explorer .cx-app").first
        prefix = app.locator("select").first.get_attribute("id").removesuffix("op")
        page.evaluate(TIME_JS, [prefix, SETUP])
        cells = page.locator("div.cnnbook-explorer").first.locator(
            "figure:not([hidden]) .cx-row:not([hidden]) > .cx-cell:not([hidden])").count()
        changes = (CYCLE * (args.changes // len(CYCLE) + 1))[: args.changes]
        page.evaluate(TIME_JS, [prefix, CYCLE])  # warm up the JIT
        runs = [page.evaluate(TIME_JS, [prefix, changes]) for _ in range(args.repeats)]
        browser.close()
    if errors:
        raise SystemExit(f"the page raised: {errors}")
    best = sorted(min(run[i] for run in runs) for i in range(len(changes)))
    every = sorted(t for run in runs for t in run)
    print(f"{len(changes)} changes of a 32x32 input, 5x5 kernel ({cells} cells drawn), "
          f"{args.repeats} runs: median {statistics.median(best):.1f} ms, 90th percentile "
          f"{best[int(0.9 * len(best))]:.1f} ms (fastest run of each change; target 16 ms); "
          f"median of all runs {statistics.median(every):.1f} ms")
    print(f"page weight of the explorer outputs in {args.page}: "
          f"{page_weight(html) / 1000:.0f} kB (target 300 kB)")


if __name__ == "__main__":
    main()
