"""Writes keep what the user had: owner, group, mode, symlinks, devices, other files'
temporaries; and a write that cannot happen says why in one line, the file untouched."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ledger.cli import app
from ledger.files import remove_stale_temps, temp_of, write_atomic
from ledger.load import bundled_ledger_path

runner = CliRunner()
BUNDLED = Path(bundled_ledger_path()).read_bytes()
BASIC = ["--date", "2025-11-02", "--actor", "US", "--target", "CN", "--kind", "tariff", "--title", "A new tariff"]
NOBODY = 65534
as_root = pytest.mark.skipif(os.geteuid() != 0, reason="changing owners needs root (CI runs as root)")


def add(path, *args):
    return runner.invoke(app, ["add", "-f", str(path), *BASIC, *args])


@as_root
def test_add_by_root_keeps_the_owner_group_and_mode_of_someone_else_s_ledger(tmp_path):
    path = tmp_path / "theirs.yaml"
    path.write_bytes(BUNDLED)
    os.chown(path, NOBODY, NOBODY)
    os.chmod(path, 0o640)
    assert add(path, "--id", "by-root").exit_code == 0
    st = os.stat(path)
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (NOBODY, NOBODY, 0o640)
    assert b"by-root" in path.read_bytes()


def test_a_user_who_cannot_keep_the_owner_is_refused_and_the_file_stays(tmp_path, monkeypatch):
    # What a user other than root meets with a group-writable ledger of a colleague's:
    # the file is someone else's, and the system refuses to give the new file away.
    path = tmp_path / "theirs.yaml"
    path.write_bytes(BUNDLED)
    owner = os.stat(path)
    monkeypatch.setattr("ledger.files.os.geteuid", lambda: owner.st_uid + 1)

    def refuse(fd, uid, gid):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr("ledger.files.os.fchown", refuse)
    result = add(path, "--id", "by-someone-else")
    assert result.exit_code == 1
    assert f"{path}: not written: it belongs to " in result.stderr
    assert "internal error" not in result.stderr
    assert path.read_bytes() == BUNDLED
    assert [p.name for p in tmp_path.iterdir() if temp_of(p.name)] == []


def test_a_read_only_directory_is_one_line_naming_the_lock_file(tmp_path, monkeypatch):
    # Root may write anywhere, so the directory's refusal is played by os.open.
    path = tmp_path / "l.yaml"
    path.write_bytes(BUNDLED)
    real_open = os.open

    def read_only(name, *args, **kw):
        if os.path.dirname(str(name)) == str(tmp_path) and args and args[0] & os.O_CREAT:
            raise PermissionError(13, "Permission denied", str(name))
        return real_open(name, *args, **kw)

    monkeypatch.setattr("ledger.files.os.open", read_only)
    result = add(path, "--id", "x")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == \
        f"ledger: {path}: not added: Permission denied ({tmp_path}/.l.yaml.lock); the ledger is unchanged"
    assert "internal error" not in result.stderr
    assert path.read_bytes() == BUNDLED


def test_a_full_disk_is_one_line_and_leaves_the_ledger_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "l.yaml"
    path.write_bytes(BUNDLED)

    def full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("ledger.files.os.fsync", full)
    result = add(path, "--id", "x")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == \
        f"ledger: {path}: not added: No space left on device; the ledger is unchanged"
    assert path.read_bytes() == BUNDLED
    assert sorted(p.name for p in tmp_path.iterdir()) == [".l.yaml.lock", "l.yaml"]


def test_a_title_that_is_not_utf8_is_refused_with_its_option(tmp_path):
    path = tmp_path / "l.yaml"
    path.write_bytes(BUNDLED)
    proc = subprocess.run([sys.executable.encode(), b"-m", b"ledger", b"add", b"-f", bytes(path), b"--id", b"x",
                           b"--date", b"2025-11-02", b"--actor", b"US", b"--target", b"CN", b"--kind", b"tariff",
                           b"--title", b"caf\xff"], capture_output=True, timeout=120)
    stderr = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 1, stderr
    assert "--title: is not valid UTF-8 text" in stderr
    assert "internal error" not in stderr and "Traceback" not in stderr
    assert path.read_bytes() == BUNDLED


def test_hard_links_are_warned_about(tmp_path):
    path = tmp_path / "l.yaml"
    path.write_bytes(BUNDLED)
    os.link(path, tmp_path / "backup.yaml")
    result = add(path, "--id", "linked")
    assert result.exit_code == 0
    assert f"ledger: warning: {path} had 1 other hard link; it keeps the old content" in result.stderr
    assert (tmp_path / "backup.yaml").read_bytes() == BUNDLED


def test_cleaning_up_one_ledger_never_touches_another_ledger_s_temporary(tmp_path):
    (tmp_path / "l.yaml").write_bytes(BUNDLED)
    (tmp_path / "l.yaml.bak").write_bytes(BUNDLED)
    theirs = tmp_path / ".l.yaml.bak.0123456789ab.ledger-tmp"  # a concurrent add -f l.yaml.bak, in flight
    mine = tmp_path / ".l.yaml.0123456789ab.ledger-tmp"  # left by a killed add -f l.yaml
    theirs.write_text("in flight")
    mine.write_text("stale")
    assert temp_of(theirs.name) == "l.yaml.bak" and temp_of(mine.name) == "l.yaml"
    remove_stale_temps(str(tmp_path / "l.yaml"))
    assert theirs.exists() and not mine.exists()
    assert add(tmp_path / "l.yaml", "--id", "x").exit_code == 0
    assert theirs.read_text() == "in flight"


def test_output_through_a_symlink_writes_the_file_it_points_to(tmp_path):
    real = tmp_path / "real.csv"
    real.write_text("old\n")
    os.chmod(real, 0o640)
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    result = runner.invoke(app, ["export", "csv", "-o", str(link)])
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text().startswith("id,")
    assert stat.S_IMODE(os.stat(real).st_mode) == 0o640


def test_output_to_a_pipe_writes_into_it_and_leaves_it_a_pipe(tmp_path):
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    result = runner.invoke(app, ["export", "jsonl", "-o", str(fifo)])
    reader.join(timeout=60)
    assert result.exit_code == 0, result.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert got and got[0].count(b"\n") >= 14


def test_write_atomic_keeps_the_mode_and_writes_whole(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"old")
    os.chmod(path, 0o604)
    assert write_atomic(str(path), b"new" * 1000) == []
    assert path.read_bytes() == b"new" * 1000
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o604
    assert [p.name for p in tmp_path.iterdir()] == ["f"]


# --- standard output: all of it, or an error ------------------------------------------------


def test_output_is_written_in_pieces_and_whole(monkeypatch):
    monkeypatch.setattr("ledger.cli.STDOUT_PIECE", 7)
    whole = runner.invoke(app, ["timeline", "--json", "--as-of", "2025-10-14"]).stdout_bytes
    monkeypatch.undo()
    assert runner.invoke(app, ["timeline", "--json", "--as-of", "2025-10-14"]).stdout_bytes == whole
    assert whole.endswith(b"]\n") and len(whole) > 1000


def test_a_short_write_is_an_error_never_a_silent_truncation(monkeypatch, capsys):
    import io

    import ledger.cli as cli

    class Short(io.BytesIO):
        def write(self, data):  # what a write of more than 2 GiB does on Linux
            return super().write(bytes(data)[: len(data) - 4096])

    class Stdout(io.TextIOWrapper):
        pass

    fake = Stdout(Short(), encoding="utf-8")
    monkeypatch.setattr(sys, "stdout", fake)
    with pytest.raises(cli.OutputFailed, match="short write"):
        cli.write_stdout("x" * 10_000)


def test_a_full_disk_behind_stdout_is_exit_1_with_a_message():
    with open("/dev/full", "wb") as full:
        proc = subprocess.run([sys.executable, "-m", "ledger", "timeline", "--json", "--as-of", "2025-10-14"],
                              stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    assert proc.returncode == 1
    assert "ledger: standard output: No space left on device; the output is incomplete" in proc.stderr
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr
