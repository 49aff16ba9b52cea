"""The README's samples are what `ledger` prints: every `$ ...` command in a README code
block is run as a user would at 80 columns (a real shell, the installed `ledger`, no
colour), and its output compared with the lines under it.

A line `...` in a sample stands for one or more lines left out. `$ cat FILE` followed by
lines makes FILE with those lines (so `ledger check --file bad.yaml` reads the file the
README shows). The commands of one block run one after another in one empty folder
(`init` then `add`), which the samples call `/home/you`. Standard error is shown where
it lands in a terminal, with standard output.

When this fails after a deliberate change to people's output, update the README's
sample from the actual output printed in the failure, and read the difference.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
COLUMNS = "80"
HOME = "/home/you"  # what the samples call the folder they run in


def blocks() -> list[tuple[int, list[str]]]:
    """Each fenced block of the README holding a `$ ` command: (first line number, lines)."""
    out, block, start = [], None, 0
    for number, line in enumerate(README.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("```"):
            if block is None:
                block, start = [], number + 1
            else:
                if any(x.startswith("$ ") for x in block):
                    out.append((start, block))
                block = None
        elif block is not None:
            block.append(line)
    return out


def sessions(lines: list[str]) -> list[tuple[str, list[str]]]:
    """A block as (command, the sample's output lines) pairs; a command may go on over
    lines ending in a backslash."""
    out: list[tuple[str, list[str]]] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.startswith("$ "):
            assert not out, f"a line before the first command: {line!r}"
            i += 1
            continue
        command = line[2:]
        while command.endswith("\\"):
            i += 1
            command = command[:-1] + " " + lines[i].strip()
        i += 1
        output = []
        while i < len(lines) and not lines[i].startswith("$ "):
            output.append(lines[i])
            i += 1
        while output and not output[-1].strip():
            output.pop()
        out.append((command, output))
    return out


def matches(expected: list[str], actual: list[str]) -> bool:
    """Whether `actual` is `expected`, a `...` line standing for one or more lines."""

    @functools.cache
    def at(i: int, j: int) -> bool:
        if i == len(expected):
            return j == len(actual)
        if expected[i].strip() == "...":
            return any(at(i + 1, k) for k in range(j + 1, len(actual) + 1))
        return j < len(actual) and expected[i] == actual[j] and at(i + 1, j + 1)

    return at(0, 0)


def shell(command: str, folder: Path) -> list[str]:
    bin_dir = str(Path(sys.executable).parent)
    env = {k: v for k, v in os.environ.items()
           if k not in ("NO_COLOR", "FORCE_COLOR", "ESCALATION_LEDGER_FILE", "ESCALATION_LEDGER_DEBUG")}
    env.update(PATH=f"{bin_dir}{os.pathsep}{env['PATH']}", COLUMNS=COLUMNS)
    p = subprocess.run(["sh", "-c", "exec 2>&1\n" + command], capture_output=True, text=True, env=env, cwd=folder,
                       timeout=120)
    text = p.stdout.replace(str(folder.resolve()), HOME).replace(str(folder), HOME)
    return [line.rstrip("\n") for line in text.splitlines()]


BLOCKS = blocks()


def test_the_readme_has_samples_to_check():
    commands = [c for _, lines in BLOCKS for c, _ in sessions(lines)]
    for sample in ("ledger deadlines --as-of 2025-10-14", "ledger chains us-100pct-tariff-surcharge --as-of 2025-10-14",
                   "ledger summary --as-of 2025-10-14", "ledger show tariff-truce --as-of 2025-10-14",
                   "ledger chart --by month --as-of 2025-10-14", "ledger check --file bad.yaml"):
        assert sample in commands, sample


@pytest.mark.parametrize("start,lines", BLOCKS, ids=[f"README.md:{start}" for start, _ in BLOCKS])
def test_readme_sample_is_what_ledger_prints(start, lines, tmp_path):
    for command, expected in sessions(lines):
        cat = re.fullmatch(r"cat (\S+)", command)
        if cat:  # the sample shows a file: make it
            (tmp_path / cat.group(1)).write_text("\n".join(expected) + "\n", encoding="utf-8")
        actual = shell(command, tmp_path)
        assert matches(expected, actual), (
            f"README.md:{start}: `{command}` prints (at {COLUMNS} columns):\n" + "\n".join(actual)
            + "\n\nbut the README shows:\n" + "\n".join(expected))
