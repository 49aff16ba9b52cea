"""`ledger chart`: escalation per country over time, in plain text that fits 80 columns."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from ledger.cli import app
from ledger.export.chart import escalation_buckets, render_chart
from ledger.load import load_text

runner = CliRunner()

LEDGER = """\
measures:
  - id: t1
    date: 2025-10-09
    actor: CN
    target: US
    kind: export-control
    title: A
  - id: t2
    date: 2025-10-10
    actor: US
    target: CN
    kind: tariff
    weight: 5
    title: B
  - id: t3
    date: 2025-10
    actor: CN
    target: US
    kind: fee
    title: C
  - id: t4
    date: 2025-12-02
    actor: [US, CN]
    target: [US, CN]
    kind: truce
    title: D
  - id: t5
    date: "2025"
    actor: US
    target: CN
    kind: talks
    title: E
"""


def buckets(by):
    ledger, problems = load_text("t.yaml", LEDGER)
    assert ledger is not None, problems
    return escalation_buckets(ledger, by)


def test_weeks_sum_per_actor_and_vague_dates_get_their_own_period():
    bs = buckets("week")
    assert [(b.period.label, b.period.kind) for b in bs] == [
        ("2025", "year"), ("2025-10", "month"), ("2025-10-06", "week"), ("2025-12-01", "week")]
    week = bs[2]
    assert week.up == {"CN": 3, "US": 5} and week.down == {}
    truce = bs[3]
    assert truce.down == {"US": -2, "CN": -2} and truce.net("CN") == -2
    assert bs[1].measures == ["t3"]


def test_months_put_day_and_month_dates_together():
    bs = buckets("month")
    assert [b.period.label for b in bs] == ["2025", "2025-10", "2025-12"]
    assert bs[1].up == {"CN": 5, "US": 5} and sorted(bs[1].measures) == ["t1", "t2", "t3"]


def test_text_fits_80_columns_shows_both_directions_and_folds_quiet_weeks():
    text = render_chart(buckets("week"), "week", ascii=True)
    lines = text.splitlines()
    assert all(len(line) <= 80 for line in lines), max(lines, key=len)
    assert text.isascii()
    week = next(line for line in lines if line.startswith("2025-10-06"))
    assert week.split()[1] == "CN" and week.endswith("+3")
    us = lines[lines.index(week) + 1]
    assert us.split()[0] == "US" and us.endswith("+5")
    assert us.count("#") > week.count("#") > 0  # 5 points draw longer than 3
    truce = next(line for line in lines if line.startswith("2025-12-01"))
    left, right = truce.split("|", 1)
    assert "=" in left and "#" not in right and truce.endswith("-2")
    assert any(". 7 quiet weeks" in line for line in lines)  # Oct 13 .. Nov 30
    assert "2025-10" in lines[-1] and "known only to that month or year" in lines[-1]


def test_unicode_bars_in_a_terminal():
    text = render_chart(buckets("month"), "month")
    assert "█" in text and "░" in text and "│" in text


def test_cli_is_plain_when_piped_and_gives_json(tmp_path):
    p = tmp_path / "l.yaml"
    p.write_text(LEDGER, encoding="utf-8")
    r = runner.invoke(app, ["chart", "--file", str(p), "--as-of", "2025-12-31"])
    assert r.exit_code == 0, r.output
    assert r.stdout.isascii() and "\x1b" not in r.stdout
    assert all(len(line) <= 80 for line in r.stdout.splitlines())
    r = runner.invoke(app, ["chart", "--file", str(p), "--as-of", "2025-12-31", "--by", "month", "--json"])
    data = json.loads(r.stdout)
    assert data["by"] == "month"
    assert [b["period"] for b in data["buckets"]] == ["2025", "2025-10", "2025-12"]
    assert data["buckets"][1]["countries"]["US"] == {"down": 0, "net": 5, "up": 5}
    assert set(data["buckets"][0]) == {"countries", "first", "kind", "last", "measures", "period"}
    r = runner.invoke(app, ["chart", "--file", str(p), "--as-of", "2025-11-01", "--json"])
    assert "2025-12-01" not in r.stdout  # hidden after the as-of day
    r = runner.invoke(app, ["chart", "--file", str(p), "--by", "year"])
    assert r.exit_code == 2


def test_bundled_chart_shows_the_october_escalation():
    r = runner.invoke(app, ["chart", "--by", "month", "--as-of", "2025-10-14"])
    assert r.exit_code == 0, r.output
    october = [line for line in r.stdout.splitlines() if line.startswith("2025-10")][0]
    assert october.split()[1] == "CN" and october.endswith("+13")
