"""`ledger report`: one self-contained page, checked in a real headless Chromium."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ledger.cli import app

runner = CliRunner()

HOSTILE = """\
title: Hostile <script>alert(1)</script> ledger
sources:
  s1:
    title: Source <b>bold</b> & "quoted"
    publisher: P
    url: https://example.org/a?b=1&c=2
  s2:
    title: Sneaky
    publisher: Q
    url: javascript:alert(1)
measures:
  - id: m1
    date: 2025-10-09
    actor: CN
    target: US
    kind: export-control
    title: Controls <img src=x onerror=alert(1)> & "rare" earths
    effective: 2025-11-08
    sources: [s1]
  - id: m2
    date: 2025-10-12
    actor: US
    target: CN
    kind: tariff
    title: Tariff [bold]x[/bold]
    responds_to: [m1]
    not_before: 2025-11-01T06:00:00-05:00
    sources: [s2]
  - id: m3
    date: 2025-10-20
    actor: [US, CN]
    target: [US, CN]
    kind: talks
    title: Talks
    responds_to: [m2]
    sources: [s1]
events:
  - id: e1
    date: 2025-10-31
    end: 2025-11-01
    title: Summit
    kind: summit
    countries: [US, CN]
    sources: [s1]
"""


def make_report(tmp_path, *args, env=None) -> str:
    ledger = tmp_path / "h.yaml"
    ledger.write_text(HOSTILE, encoding="utf-8")
    out = tmp_path / "report.html"
    r = runner.invoke(app, ["report", "-o", str(out), "--file", str(ledger), "--as-of", "2025-10-25", *args], env=env)
    assert r.exit_code == 0, r.output
    assert r.stdout == ""
    return out.read_text(encoding="utf-8")


def test_user_text_is_escaped_and_nothing_is_fetched(tmp_path):
    page = make_report(tmp_path)
    assert "<script" not in page and "<img" not in page and "onerror=alert" not in page.replace("onerror=alert(1)&gt;", "")
    assert "Hostile &lt;script&gt;alert(1)&lt;/script&gt; ledger" in page
    assert "Controls &lt;img src=x onerror=alert(1)&gt; &amp; &quot;rare&quot; earths" in page
    assert "Tariff [bold]x[/bold]" in page
    # no request leaves the page: every src/href is a fragment or a source's http(s) link
    for attr, url in re.findall(r'\b(src|href)="([^"]*)"', page):
        assert attr == "href" and (url.startswith("#") or url == "https://example.org/a?b=1&amp;c=2"), url
    assert "javascript:" not in page
    assert "@import" not in page and "url(" not in page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "@media print" in page and "@media (max-width" in page


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is required (CI installs graphviz)")
def test_the_chains_graph_is_inline_svg(tmp_path):
    page = make_report(tmp_path)
    assert "<svg" in page and "<?xml" not in page and "<!DOCTYPE svg" not in page
    assert "<title>n_m1&#45;&gt;n_m2</title>" in page


def test_without_graphviz_the_chains_are_lists_and_the_page_says_so(tmp_path):
    empty = tmp_path / "bin"
    empty.mkdir()
    page = make_report(tmp_path, env={"PATH": str(empty)})
    assert "<svg" not in page
    assert "Graphviz&#x27;s dot was not installed" in page
    assert '<ul class="chain">' in page and "(m2 · 3 days later)" in page


def test_filters_reach_the_page(tmp_path):
    page = make_report(tmp_path, "--kind", "tariff")
    assert "kind tariff" in page and "Tariff [bold]x[/bold]" in page and "Controls" not in page


def test_an_inferred_deadline_says_so_on_the_page_and_in_the_calendar(tmp_path):
    out = tmp_path / "b.html"
    r = runner.invoke(app, ["report", "-o", str(out), "--as-of", "2025-10-14"])
    assert r.exit_code == 0, r.output
    rows = [row for row in out.read_text(encoding="utf-8").split("<tr") if "(apec-2025)" in row and "countdown" in row]
    assert len(rows) == 2 and all("inferred date: our reading" in row for row in rows)  # inferred: [date, end]
    r = runner.invoke(app, ["export", "ics"])
    unfolded = r.stdout.replace("\r\n ", "")
    assert "Inferred: the date and end are our reading" in unfolded


# --- in a real browser ------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium not installed (apt-get install chromium; .ci/run installs it)")


def chromium(tmp_path: Path, url: str, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", f"--user-data-dir={profile}", *args, url],
        capture_output=True, text=True, timeout=120, check=False,
    )


@needs_chromium
def test_chromium_renders_the_report_and_it_fits_a_phone(tmp_path):
    make_report(tmp_path)
    # A copy with a probe script: after layout, it writes into the DOM whether the page
    # is wider than a phone's screen, and the text the browser actually renders.
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    probe = ("<script>document.body.setAttribute('data-overflow', String(document.documentElement.scrollWidth"
             " > window.innerWidth)); document.body.setAttribute('data-width', String(window.innerWidth));"
             "var p = document.createElement('pre'); p.id = 'rendered'; p.textContent = document.body.innerText;"
             " document.body.appendChild(p);</script>")
    probed = tmp_path / "probed.html"
    probed.write_text(page.replace("</body>", probe + "</body>"), encoding="utf-8")
    r = chromium(tmp_path, probed.as_uri(), "--dump-dom", "--window-size=412,900")
    assert r.returncode == 0, r.stderr[-2000:]
    dom = r.stdout
    # headless Chromium may clamp the window to 500 pixels: still a phone-sized layout
    assert int(re.search(r'data-width="(\d+)"', dom).group(1)) <= 500
    assert 'data-overflow="false"' in dom  # nothing sticks out sideways
    rendered = re.search(r'<pre id="rendered">(.*?)</pre>', dom, re.S).group(1)
    assert "Hostile &lt;script&gt;alert(1)&lt;/script&gt; ledger" in rendered
    assert "in 7 days" in rendered  # the surcharge's not-before, 2025-11-01 06:00-05:00, as of 2025-10-25
    assert "in 14 days" in rendered  # m1 takes effect 2025-11-08
    assert "Escalation chains" in rendered and "Countries" in rendered

    shot = tmp_path / "shot.png"
    r = chromium(tmp_path, (tmp_path / "report.html").as_uri(), f"--screenshot={shot}", "--window-size=412,900",
                 "--hide-scrollbars")
    assert r.returncode == 0, r.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (412, 900)
    assert len(data) > 10_000  # text and colour, not a blank page
