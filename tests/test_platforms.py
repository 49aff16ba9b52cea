"""The commands run where Python runs, not only where Linux's facilities are: each test
runs the real command in a process from which one facility has been taken away before
`ledger` is imported (fcntl, as on Windows; fork, as on Windows and where macOS makes it
unsafe), and paths with spaces and non-ASCII names."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ledger.load import bundled_ledger_path

BUNDLED = Path(bundled_ledger_path()).read_bytes()
BASIC = ["--date", "2025-11-02", "--actor", "US", "--target", "CN", "--kind", "tariff", "--title", "A new tariff"]

# Windows has no fcntl; it has msvcrt.locking. Here the fake msvcrt locks with lockf
# (grabbed before fcntl is hidden), so that the Windows path is the one that runs and is
# still a real lock that the concurrency test below can hold it to. It is given only to
# ledger.files: the standard library takes a module named msvcrt for a sign of Windows.
WITHOUT_FCNTL = """
import builtins, sys, types, fcntl as _real
sys.modules["fcntl"] = None
msvcrt = types.ModuleType("msvcrt")
msvcrt.LK_LOCK = 1
def locking(fd, mode, n, _real=_real):
    _real.lockf(fd, _real.LOCK_EX, n)
msvcrt.locking = locking
_import = builtins.__import__
def only_for_ledger_files(name, globals=None, *rest, **kw):
    if name == "msvcrt" and (globals or {}).get("__name__") == "ledger.files":
        return msvcrt
    return _import(name, globals, *rest, **kw)
builtins.__import__ = only_for_ledger_files
"""

WITHOUT_FORK = """
import os
del os.fork
"""


def run(prelude: str, *args: str, cwd=None, env=None, wait: bool = True):
    code = prelude + "\nimport sys\nsys.argv = ['ledger', *sys.argv[1:]]\nfrom ledger.cli import run\nrun()\n"
    proc = subprocess.Popen([sys.executable, "-c", code, *args], cwd=cwd, env={**os.environ, **(env or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if not wait:
        return proc
    out, err = proc.communicate(timeout=300)
    return proc.returncode, out, err


def test_concurrent_adds_without_fcntl_lose_nothing(tmp_path):
    path = tmp_path / "l.yaml"
    path.write_bytes(BUNDLED)
    procs = [run(WITHOUT_FCNTL, "add", "-f", str(path), "--id", f"writer-{i}", *BASIC, wait=False) for i in range(6)]
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    code, out, err = run("", "timeline", "--json", "-f", str(path), "--as-of", "2025-12-31")
    ids = {r["id"] for r in json.loads(out)}
    assert {f"writer-{i}" for i in range(6)} <= ids


def test_a_big_ledger_without_fork_reads_and_caches_in_one_process(tmp_path):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    try:
        from gen import generate, to_yaml
    finally:
        sys.path.pop(0)
    path = tmp_path / "big.yaml"
    path.write_text(to_yaml(generate(25_000)), encoding="utf-8")  # past the two-process and write-behind sizes
    env = {"ESCALATION_LEDGER_CACHE_DIR": str(tmp_path / "cache")}
    want = run("", "summary", "--json", "-f", str(path), "--as-of", "2025-12-31", env={"ESCALATION_LEDGER_NO_CACHE": "1"})
    first = run(WITHOUT_FORK, "summary", "--json", "-f", str(path), "--as-of", "2025-12-31", env=env)
    again = run(WITHOUT_FORK, "summary", "--json", "-f", str(path), "--as-of", "2025-12-31", env=env)
    assert want[0] == 0 and first == want and again == want
    assert os.listdir(tmp_path / "cache")  # the entry was written by this process itself


@pytest.mark.parametrize("name", ["my ledger.yaml", "réseau dépêche.yaml", "中美 贸易.yaml"])
def test_paths_with_spaces_and_non_ascii_names_work_everywhere(tmp_path, name):
    folder = tmp_path / "dir with spaces é"
    folder.mkdir()
    path = folder / name
    code, out, err = run("", "init", str(path))
    assert code == 0, err
    code, out, err = run("", "add", "-f", str(path), "--id", "x", *BASIC)
    assert code == 0, err
    code, out, err = run("", "check", "-f", str(path))
    assert code == 0 and name in err, err
    report = folder / f"{name}.html"
    code, out, err = run("", "report", "-o", str(report), "-f", str(path), "--as-of", "2025-10-14")
    assert code == 0 and report.read_text(encoding="utf-8").startswith("<!DOCTYPE html>"), err
    code, out, err = run("", "export", "csv", "-o", str(folder / "out é.csv"), "-f", str(path))
    assert code == 0 and (folder / "out é.csv").read_text(encoding="utf-8").startswith("id,"), err


@pytest.mark.parametrize("platform, want", [("darwin", "Library/Caches/escalation-ledger"),
                                            ("win32", "escalation-ledger")])
def test_the_cache_lives_where_each_platform_keeps_caches(monkeypatch, tmp_path, platform, want):
    import platformdirs

    from ledger import cache

    monkeypatch.delenv("ESCALATION_LEDGER_CACHE_DIR", raising=False)
    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.setattr(platformdirs, "user_cache_dir", lambda name, appauthor=None: {
        "darwin": os.path.join(str(tmp_path), "Library", "Caches", name),
        "win32": os.path.join(str(tmp_path), "AppData", "Local", name, "Cache")}[platform])
    assert want in cache._platform_cache_dir()
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache._platform_cache_dir() == str(tmp_path / "xdg" / "escalation-ledger")
