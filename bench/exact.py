"""Run `ledger` commands on one ledger through the exact reader alone, for `run.py` to
compare with what the commands print normally (fast path, parse cache, kept chains).

    python bench/exact.py LEDGER OUTDIR CMD [CMD...]    # each CMD one string: "timeline --json"

Every file goes to `load.py`'s exact reader (libyaml events, every value located; no
yaml-rs, no cache), read once and shared by the commands. Command i's stdout, stderr and
exit code go to OUTDIR/i.out, i.err and i.code.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str]) -> int:
    path, outdir, *commands = argv
    os.environ["ESCALATION_LEDGER_NO_CACHE"] = "1"
    import ledger.read as read

    read._FAST_MIN_BYTES = float("inf")  # the fast path never vouches for a file
    exact = read.load_checked
    loaded: dict = {}

    def once(p, **kwargs):  # every problem is located on the exact path, whatever is asked
        if p not in loaded:
            loaded[p] = exact(p, **kwargs)
        return loaded[p]

    read.load_checked = once
    from ledger import cli

    for i, command in enumerate(commands):
        sys.stdout.flush()
        sys.stderr.flush()
        saved = os.dup(1), os.dup(2)
        code = 0
        with open(os.path.join(outdir, f"{i}.out"), "wb") as out, open(os.path.join(outdir, f"{i}.err"), "wb") as err:
            os.dup2(out.fileno(), 1)
            os.dup2(err.fileno(), 2)
            sys.argv = ["ledger", *command.split(), "-f", path]
            try:
                cli.main()
            except SystemExit as e:
                code = e.code or 0
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os.dup2(saved[0], 1)
                os.dup2(saved[1], 2)
                os.close(saved[0])
                os.close(saved[1])
        with open(os.path.join(outdir, f"{i}.code"), "w") as f:
            f.write(str(code))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
