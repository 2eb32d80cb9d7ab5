"""The HTML reports rendered in a real browser: headless Chromium (Debian's ``chromium``
package) at 1,280 px, driven over the DevTools protocol on a pipe (no extra Python
package, no network).

Each report must lay out without horizontal overflow (the document no wider than the
window, and no element past its right edge unless inside a box that scrolls), and must
log no console error. Full-page screenshots are kept in ``tests/output/`` (ignored by
git) for a person to look at; their paths are printed.

Without Chromium the test is skipped with the reason, unless ``CI`` is set: then it
fails, so the browser check cannot silently drop out of the suite.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hrh.cli import main

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = Path(__file__).resolve().parent / "output"
WIDTH = 1280
HEIGHT = 900
TIMEOUT = 60.0  # seconds for any one browser reply; a hang fails instead of blocking

# Measured inside the page once it has loaded. An element counts as overflowing when its
# box reaches past the window's right (or left) edge and no ancestor clips or scrolls it.
MEASURE = """
(() => {
  const vw = document.documentElement.clientWidth;
  const scrolls = (el) => {
    for (let p = el.parentElement; p && p !== document.documentElement; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === 'auto' || o === 'scroll') return p;
    }
    return null;
  };
  const name = (el) => {
    const cls = typeof el.className === 'string' && el.className ? '.' + el.className : '';
    return el.tagName.toLowerCase() + cls + ' "' + (el.textContent || '').trim().slice(0, 60) + '"';
  };
  const outside = (el) => {
    const r = el.getBoundingClientRect();
    return (r.width > 0 || r.height > 0) && (r.right > vw + 0.5 || r.left < -0.5) && !scrolls(el);
  };
  // Only the outermost overflowing elements, so one wide table is one line.
  const overflowing = [...document.body.querySelectorAll('*')]
    .filter((el) => outside(el) && !(el.parentElement && outside(el.parentElement)))
    .map((el) => {
      const r = el.getBoundingClientRect();
      return name(el) + ' spans ' + Math.round(r.left) + '..' + Math.round(r.right);
    });
  const boxes = [...document.querySelectorAll('.scroll')];
  const scrolled = boxes.filter((b) => b.scrollWidth > b.clientWidth + 1).map(name);
  const tooWide = boxes.filter((b) => b.getBoundingClientRect().right > vw + 0.5).map(name);
  return {
    viewport: vw,
    scrollWidth: document.documentElement.scrollWidth,
    height: document.documentElement.scrollHeight,
    overflowing: overflowing.concat(tooWide),
    scrolledTables: scrolled,
    svgs: document.querySelectorAll('svg').length,
    tables: document.querySelectorAll('table').length,
  };
})()
"""


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


class Browser:
    """A headless Chromium spoken to over ``--remote-debugging-pipe`` (fds 3 and 4):
    null-terminated JSON messages, one page session."""

    def __init__(self, executable: str, profile: Path) -> None:
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def pipes() -> None:  # runs in the child, before exec
            # Copy both ends above 3 and 4 first, so that neither dup2 closes the other.
            high_r = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 10)
            high_w = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 10)
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)

        self.proc = subprocess.Popen(
            [
                executable,
                "--headless",
                "--remote-debugging-pipe",
                "--no-sandbox",  # the CI container runs as root
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--no-default-browser-check",
                "--hide-scrollbars",
                f"--user-data-dir={profile}",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            close_fds=False,
            preexec_fn=pipes,  # the test process runs no threads while it forks
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]

    def _read(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._from_browser], [], [], max(left, 0.0))
            if not ready:
                raise TimeoutError(f"Chromium did not answer within {TIMEOUT:.0f} s")
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                err = self.proc.stderr.read().decode(errors="replace") if self.proc.stderr else ""
                raise RuntimeError(f"Chromium closed the pipe: {err[-2000:]}")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message: dict[str, Any] = json.loads(raw)
        return message

    def call(self, method: str, params: dict[str, Any] | None = None, page: bool = False) -> Any:
        """Send one command and return its result; events that arrive meanwhile are kept."""
        self._next_id += 1
        msg: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if page:
            msg["sessionId"] = self.session
        os.write(self._to_browser, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + TIMEOUT
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str) -> dict[str, Any]:
        """The first kept or future event named `method`."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            for i, ev in enumerate(self.events):
                if ev.get("method") == method:
                    return self.events.pop(i)
            self.events.append(self._read(deadline))

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, TimeoutError, OSError):
            self.call("Browser.close")
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)
        if self.proc.stderr:
            self.proc.stderr.close()


def _errors(events: list[dict[str, Any]]) -> list[str]:
    """Console errors, uncaught exceptions and browser log errors among `events`."""
    out = []
    for ev in events:
        method, params = ev.get("method"), ev.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            out.append(" ".join(str(a.get("value", a.get("description"))) for a in params["args"]))
        elif method == "Runtime.exceptionThrown":
            out.append(str(params["exceptionDetails"]))
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            out.append(f"{params['entry']['source']}: {params['entry']['text']}")
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    exe = _chromium()
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail(
                "CI is set but Chromium is missing: install Debian's 'chromium' package "
                "(.ci/run does) so the report is checked in a browser"
            )
        pytest.skip(
            "Chromium not found (apt-get install chromium); the report's browser check "
            "runs in CI, where a missing browser fails"
        )
    with tempfile.TemporaryDirectory(prefix="hrh-chromium-") as profile:
        b = Browser(exe, Path(profile))
        try:
            yield b
        finally:
            b.close()


def render(browser: Browser, html: Path, name: str) -> dict[str, Any]:
    """Load `html` at 1,280 px, measure it, save a full-page screenshot as
    ``tests/output/<name>.png`` and return the measurements with the page's errors."""
    browser.events.clear()
    for domain in ("Page", "Runtime", "Log"):
        browser.call(f"{domain}.enable", page=True)
    metrics = {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False}
    browser.call("Emulation.setDeviceMetricsOverride", metrics, page=True)
    browser.call("Page.navigate", {"url": html.resolve().as_uri()}, page=True)
    browser.wait_for("Page.loadEventFired")
    result = browser.call(
        "Runtime.evaluate", {"expression": MEASURE, "returnByValue": True}, page=True
    )
    if "exceptionDetails" in result:
        raise RuntimeError(f"the measuring script failed: {result['exceptionDetails']}")
    measured: dict[str, Any] = result["result"]["value"]
    # Grow the window to the whole page for one screenshot, then restore it.
    full = dict(metrics, height=min(int(measured["height"]), 30_000))
    browser.call("Emulation.setDeviceMetricsOverride", full, page=True)
    shot = browser.call("Page.captureScreenshot", {"format": "png"}, page=True)
    browser.call("Emulation.setDeviceMetricsOverride", metrics, page=True)
    OUTPUT.mkdir(exist_ok=True)
    png = OUTPUT / f"{name}.png"
    png.write_bytes(base64.b64decode(shot["data"]))
    print(f"screenshot of {html.name} at {WIDTH} px: {png}")
    if measured["scrolledTables"]:
        print("tables that scroll sideways in their box:", *measured["scrolledTables"], sep="\n  ")
    measured["errors"] = _errors(browser.events)
    measured["screenshot"] = png
    return measured


def check_layout(m: dict[str, Any]) -> None:
    assert m["viewport"] == WIDTH
    assert m["scrollWidth"] <= WIDTH, f"the page is {m['scrollWidth']} px wide: {m}"
    assert m["overflowing"] == [], "elements past the window's edge:\n" + "\n".join(
        m["overflowing"]
    )
    assert m["errors"] == [], m["errors"]
    assert m["screenshot"].stat().st_size > 10_000  # a drawn page, not a blank one


def test_demo_report_in_chromium(browser: Browser, tmp_path: Path) -> None:
    out = tmp_path / "demo.html"
    assert main(["report", "--demo", "-o", str(out)]) == 0
    m = render(browser, out, "report-demo")
    check_layout(m)
    assert m["svgs"] >= 7 and m["tables"] >= 8, m


def test_scenario_report_in_chromium(browser: Browser, tmp_path: Path) -> None:
    scenario = ROOT / "examples" / "beijing_tianjin_hebei" / "scenario.toml"
    out = tmp_path / "scenario.html"
    assert main(["report", "--scenario", str(scenario), "--draws", "200", "-o", str(out)]) == 0
    m = render(browser, out, "report-scenario")
    check_layout(m)
    assert m["svgs"] >= 3 and m["tables"] >= 2, m


def test_register_and_counts_reports_in_chromium(browser: Browser, tmp_path: Path) -> None:
    """A report from the user's own register (every section) and one from published
    counts by region and cadre."""
    import hrh

    hrh.datasets.synthetic_register(seed=2, n_active=300).write_csv(tmp_path / "staff.csv")
    hrh.datasets.synthetic_population().write_csv(tmp_path / "pop.csv")
    out = tmp_path / "register.html"
    args = ["--register", str(tmp_path / "staff.csv"), "--population", str(tmp_path / "pop.csv")]
    args += ["--by", "district", "--cadre", "cadre", "--area", "area_km2"]
    assert main(["report", *args, "-o", str(out)]) == 0
    m = render(browser, out, "report-register")
    check_layout(m)
    assert m["svgs"] >= 5, m
    counts = ROOT / "examples" / "beijing_tianjin_hebei" / "counts.csv"
    out = tmp_path / "counts.html"
    args = ["--counts", str(counts), "--by", "region", "--cadre", "cadre", "--staff", "count"]
    assert main(["report", *args, "--area", "area_km2", "-o", str(out)]) == 0
    m = render(browser, out, "report-counts")
    check_layout(m)
    assert m["svgs"] >= 2, m


def test_the_check_catches_overflow_and_console_errors(browser: Browser, tmp_path: Path) -> None:
    """The browser check itself: a page with a too-wide table and a script error fails
    it, and the same table inside a scrolling box passes."""
    wide = (
        "<table><tr>"
        + "<td>column&nbsp;with&nbsp;a&nbsp;long&nbsp;name</td>" * 40
        + "</tr></table>"
    )
    bad = tmp_path / "bad.html"
    bad.write_text(
        f"<!DOCTYPE html><html><body>{wide}<script>console.error('boom')</script></body></html>",
        encoding="utf-8",
    )
    m = render(browser, bad, "check-bad")
    assert m["scrollWidth"] > WIDTH and m["overflowing"], m
    assert any("boom" in e for e in m["errors"]), m["errors"]
    good = tmp_path / "good.html"
    good.write_text(
        f"<!DOCTYPE html><html><body><div class='scroll' style='overflow-x:auto'>{wide}</div>"
        "</body></html>",
        encoding="utf-8",
    )
    m = render(browser, good, "check-good")
    check_layout(m)
    assert m["scrolledTables"], m
