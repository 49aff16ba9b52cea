"""The command line: options, the two consoles, exit codes.

The cli package is the only layer that prints or exits. Commands stay thin: they
load, call a report, render, print. Command groups live in their own modules
(`reports`, `write`, `export`) and register on the one Typer app below with
`@command()`; each imports what only it needs inside its functions.

Start-up: Typer reads the signature of every registered command each time it
runs (about 1.3 ms a command), so `main` runs `ledger CMD ...` on an app holding
only CMD, importing only CMD's module. `ledger.cli.app` is the whole app, every
command registered (help, completion, tests).

Exit codes: 0 success; 1 the ledger is missing, unreadable or invalid (or a write
was refused); 2 a command-line usage error.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Annotated, NoReturn

import typer

EXIT_OK = 0
EXIT_DATA = 1
EXIT_USAGE = 2

ENV_FILE = "ESCALATION_LEDGER_FILE"
ENV_DEBUG = "ESCALATION_LEDGER_DEBUG"

HELP = f"""A plain-text escalation ledger: trade and sanctions measures, who answered whom, and which dates are coming.

With no --file, commands read ${ENV_FILE} if set, else the bundled 2025 US-China ledger.

Each command's --help gives examples. Start with: ledger deadlines --as-of 2025-10-14

Exit codes: 0 success; 1 the ledger is missing, unreadable or invalid; 2 a usage error.
"""

# --- Help: words for placeholders, whole words in wrapped lines ---------------------------
# Typer writes an argument as `{ID}` (required) or `[[ID]]` (an optional one named `[ID]`)
# in the usage line and as `ID <str>` in its list, and Click wraps help text at hyphens,
# so a kind (`acquisition-block`) could be cut in two, and `ledger --help` cut each
# command's summary at about 60 characters with `...`. Every command registered with
# `command()` and the app use the classes below (a Typer app of its own can too: `cls=`):
# arguments are written `ID` and `[ID]`, lines break only at blanks, and a summary is
# the help's first paragraph, whole (keep it one short sentence).

_NO_BREAK = "\u2011"  # a hyphen textwrap does not break at, while the help is wrapped only


class _HelpFormatter(typer.core.TyperCommand.context_class.formatter_class):
    """Click's help formatter, breaking lines only at blanks, never at a hyphen."""

    def write(self, string: str) -> None:
        super().write(string.replace(_NO_BREAK, "-"))

    def write_text(self, text: str) -> None:
        super().write_text(text.replace("-", _NO_BREAK))

    def write_dl(self, rows, *args, **kwargs) -> None:
        super().write_dl([(term, text.replace("-", _NO_BREAK)) for term, text in rows], *args, **kwargs)


class _HelpContext(typer.core.TyperCommand.context_class):
    formatter_class = _HelpFormatter


def _argument_name(param) -> str:
    return param.metavar or param.name.upper()


class LedgerCommand(typer.core.TyperCommand):
    """A command whose help writes its arguments as words: `ledger show [OPTIONS] ID`."""

    context_class = _HelpContext

    def invoke(self, ctx):
        """The command, then its ledger's verdict if the checks are still running (`settle`):
        a report that printed nothing, or failed on a ledger with errors, ends with the errors."""
        try:
            return super().invoke(ctx)
        finally:
            if sys.exc_info()[0] is not KeyboardInterrupt:
                settle()

    def get_short_help_str(self, limit: int = 45) -> str:
        """Its line in `ledger --help`: the help's first paragraph, whole (wrapped there if
        it is long, never cut with '...')."""
        if self.short_help or not self.help:
            return super().get_short_help_str(limit)
        return " ".join(self.help.strip().split("\n\n", 1)[0].split())

    def collect_usage_pieces(self, ctx) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                name = _argument_name(param)
                pieces.append(name if param.required else f"[{name}]")
            else:
                pieces.extend(param.get_usage_pieces(ctx))
        return pieces

    def format_options(self, ctx, formatter) -> None:
        arguments, options = [], []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if param.param_type_name == "argument":
                arguments.append((_argument_name(param), record[1]))  # without Typer's `<str>`
            else:
                options.append(record)
        for title, rows in (("Arguments", arguments), ("Options", options)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)


class LedgerGroup(typer.core.TyperGroup):
    """The app (or a command group): its help wrapped as `LedgerCommand`'s is."""

    context_class = _HelpContext


_APP_SETTINGS = dict(
    cls=LedgerGroup,
    help=HELP,
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,  # rich tracebacks with locals can print a ledger's contents
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
)

# Every command, in the order `ledger --help` lists them, and the module defining it.
COMMAND_MODULES: dict[str, str] = {
    "check": __name__, "schema": __name__,
    "timeline": f"{__name__}.reports", "deadlines": f"{__name__}.reports", "chains": f"{__name__}.reports",
    "summary": f"{__name__}.reports", "show": f"{__name__}.reports", "links": f"{__name__}.reports",
    "add": f"{__name__}.write", "init": f"{__name__}.write",
    "export": f"{__name__}.export", "chart": f"{__name__}.export", "report": f"{__name__}.export",
    "import": f"{__name__}.imports",
}

# The commands register here as their modules are imported; see `whole_app` and `app_for`.
_app = typer.Typer(**_APP_SETTINGS)


def command(name: str | None = None, **settings):
    """`@command()`: register a command on the app, with the help every command shares."""
    return _app.command(name, cls=LedgerCommand, **settings)


class _State:
    debug = bool(os.environ.get(ENV_DEBUG))
    ends_at_once = False  # run() ends the process with os._exit: see `keep`
    kept: list = []
    verdict = None  # (read.Verdict, ledger): checks still running for this command (see `settle`)
    file: str | None = None  # `ledger --file PATH CMD`: the ledger, unless CMD is given its own --file


state = _State()


# --- Options every command shares (declared on each command, so they work after it) ---

FileOpt = Annotated[
    str | None,
    typer.Option("--file", "-f", metavar="PATH",
                 help=f"Ledger file ('-' for standard input). Default: ${ENV_FILE}, else the bundled ledger."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON on stdout (nothing else), for jq and scripts.")]


def ledger_path(file: str | None) -> str:
    """Which ledger a command reads: --file (the command's, then one given before the
    command), then $ESCALATION_LEDGER_FILE, then the bundled one."""
    if file:
        return file
    if state.file:
        return state.file
    env = os.environ.get(ENV_FILE)
    if env:
        return env
    from ..load import bundled_ledger_path

    return bundled_ledger_path()


def ledger_to_write(file: str | None, what: str) -> str:
    """The ledger a command that writes changes (`what`: "add", "--apply"): --file (the
    command's, then one given before the command), then $ESCALATION_LEDGER_FILE; never the
    bundled ledger, never standard input (exit 2, or 1 for the bundled one)."""
    path = file or state.file or os.environ.get(ENV_FILE)
    if not path:
        usage_error(f"{what} writes to your ledger: give it with --file PATH, or ${ENV_FILE}. "
                    "Start one with: ledger init PATH")
    if path == "-":
        usage_error(f"{what} cannot write to standard input; give a file")
    if is_bundled(path):
        fail(f"{path} is the bundled ledger, which ledger does not change; start your own with "
             f"'ledger init PATH' (a copy of it) and {'add' if what == 'add' else 'apply'} to that")
    return path


def is_bundled(path: str) -> bool:
    from ..load import bundled_ledger_path

    try:
        return os.path.samefile(path, bundled_ledger_path())
    except OSError:
        return False


# --- Printing --------------------------------------------------------------------------


def err(message: str) -> None:
    """A line for people on stderr; never mixed into data on stdout. Every message goes
    out through here, problems included, so ledger text quoted in one (`unknown kind
    '...'`) reaches the terminal with its control characters shown as escapes."""
    from ..render import terminal_text

    settle()
    sys.stderr.write(terminal_text(message.rstrip("\n")) + "\n")


def fail(message: str, code: int = EXIT_DATA) -> NoReturn:
    err(f"ledger: {message}")
    raise typer.Exit(code)


STDOUT_PIECE = 1 << 28  # bytes (or characters) handed to one write call


def write_stdout(data: str | bytes) -> None:
    """All of `data` on stdout, or OutputFailed: never a silent short write. Python's file
    objects hand a write of more than 2 GiB to one system call, which writes 2 GiB less
    4 KiB and returns; the rest was dropped with exit 0. So data goes in pieces, and what
    each write call took is counted until all of it is out."""
    settle()
    out = getattr(sys.stdout, "buffer", None)
    if out is None or isinstance(data, str) and not data.isascii() and \
            (sys.stdout.encoding or "").lower().replace("-", "") != "utf8":
        for i in range(0, len(data), STDOUT_PIECE):  # a text-only stream (a test's), or not UTF-8
            piece = data[i:i + STDOUT_PIECE]
            sys.stdout.write(piece if isinstance(piece, str) else piece.decode("utf-8"))
        sys.stdout.flush()
        return
    if isinstance(data, str):
        data = data.encode("utf-8")
    view = memoryview(data)
    try:
        sys.stdout.flush()  # anything written as text goes first
        done = 0
        while done < len(view):
            # A short count is not an error yet: the rest is offered again, and the
            # stream then takes it or raises (a reader gone: BrokenPipeError).
            written = out.write(view[done:done + STDOUT_PIECE])
            if not written:
                raise OutputFailed(f"short write ({done:,} of {len(data):,} bytes written)")
            done += written
        out.flush()
    except BrokenPipeError:
        raise  # the reader left: ends quietly (main)
    except OutputFailed:
        raise
    except OSError as e:  # a full disk behind `> file`
        raise OutputFailed(e.strerror or str(e)) from None


class OutputFailed(Exception):
    """Standard output did not take all of the answer."""


def usage_error(message: str) -> NoReturn:
    """A bad option value: exit 2, like every other usage error."""
    err(f"ledger: {message}")
    raise typer.Exit(EXIT_USAGE)


def emit_json(data, keys_sorted: bool = False) -> None:
    """The JSON contract: sorted keys, ISO dates, UTF-8, one trailing newline (text: `jsontext`;
    `keys_sorted`: every dict of `data` was built with its keys in order)."""
    from .jsontext import dump_bytes

    write_stdout(dump_bytes(data, keys_sorted))


_console = None


def console():
    """The stdout console for people's output, made on first use (Rich costs start-up time)."""
    global _console
    settle()
    if _console is None:
        from rich.console import Console

        # Rich's own NO_COLOR handling drops colours but keeps bold/dim escapes;
        # NO_COLOR here means plain text, no ANSI codes at all.
        plain = os.environ.get("NO_COLOR", "") != ""
        _console = Console(highlight=False, soft_wrap=False, color_system=None if plain else "auto")
    return _console


def print_problems(problems, *, warnings: bool = True) -> None:
    for p in sorted(problems, key=lambda p: p.sort_key()):
        if warnings or p.severity == "error":
            err(str(p))


def keep(*objects) -> None:
    """Hold on to a command's big objects (the ledger, a report's rows) until the process
    ends. When `run()` is the caller, the process ends with os._exit and nothing is freed;
    left to go out of scope when the command returns, a 100,000-measure ledger would be
    freed object by object first, about a tenth of a second for nothing. In-process
    callers (tests) free as usual."""
    if state.ends_at_once:
        state.kept.extend(objects)


# --- Loading, the same way for every command ----------------------------------------------


def load_checked(path: str, **options):
    """`read.load_checked`, what every command reads, then the parse cache's one warning
    when it would not use its directory (the command ran uncached)."""
    from .. import cache, read

    try:
        return read.load_checked(path, **options)
    finally:
        reason = cache.refused()
        if reason is not None:
            err(f"ledger: warning: {reason}")


def load_or_exit(file: str | None, *, show_warnings: bool = False, defer: bool = False):
    """Load and check the ledger; on any error print every problem and exit 1.

    Returns (ledger, problems) with problems holding only warnings. `defer` (reports that
    print nothing but through `write_stdout`, `console()` and `err()`): a big ledger may be
    checked by another process while the report is built; its errors are then asked for
    before anything is printed (`settle`), and end the command as they would have here.
    """
    from .. import read
    from ..load import LedgerUnusable

    settle()
    path = ledger_path(file)
    try:
        # Warnings are only printed on demand: locating them can wait for `ledger check`.
        ledger, problems = load_checked(path, warnings_located=show_warnings, write_behind=True,
                                        defer_checks=defer and not show_warnings)
    except LedgerUnusable as e:
        hint = ""
        if not file and os.environ.get(ENV_FILE):
            hint = f" (from ${ENV_FILE})"
        fail(f"{e.path}{hint}: {e.message}")
    keep(ledger)
    if isinstance(problems, read.Verdict):
        state.verdict = (problems, ledger)
        return ledger, []
    _exit_on_errors(ledger, path, problems, show_warnings)
    if show_warnings:
        print_problems(problems)
    return ledger, problems


def _exit_on_errors(ledger, path: str, problems, show_warnings: bool = False) -> None:
    errors = [p for p in problems if p.severity == "error"]
    if errors or ledger is None:
        print_problems(problems, warnings=show_warnings)
        n = len(errors)
        err(f"{ledger.path if ledger else path}: {n} error{'s' if n != 1 else ''}; fix the file and try again (ledger check lists them all)")
        raise typer.Exit(EXIT_DATA)


def settle() -> None:
    """If the checks of the ledger a report is built from are still running in another
    process (`load_or_exit(defer=True)`), wait for their errors: none, and the command
    goes on; some, and they are printed and the command ends with exit 1, its report
    unprinted. Asked before anything reaches stdout or stderr, and when a command ends."""
    pending = state.verdict
    if pending is None:
        return
    state.verdict = None
    verdict, ledger = pending
    errors = verdict.errors()
    if errors:
        _exit_on_errors(ledger, ledger.path, errors)


# --- Global options -----------------------------------------------------------------------


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            v = version("escalation-ledger")
        except PackageNotFoundError:  # running from a checkout without installing
            v = "unknown (not installed)"
        sys.stdout.write(f"ledger (escalation-ledger) {v}\n")
        raise typer.Exit()


@_app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", "-V", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help=f"Show Python tracebacks of internal errors (also ${ENV_DEBUG}=1).")] = False,
    file: Annotated[str | None, typer.Option("--file", "-f", metavar="PATH",
                                             help="Ledger file for the command, as hledger takes it before the command "
                                                  "(`ledger -f mine.yaml timeline`); the command's own --file wins.")] = None,
) -> None:
    if debug:
        state.debug = True
    state.file = file


# --- check and schema -------------------------------------------------------------------


@command()
def check(file: FileOpt = None, json_: JsonOpt = False) -> None:
    """Check a ledger and list every problem.

    Every problem, one per line as FILE:LINE:COL: error|warning: message, for
    editors and CI. The problems and a closing count go to stderr (with --json,
    the problems go to stdout as JSON).

    \b
    Examples:
      ledger check
      ledger check --file mine.yaml
      ledger check -f mine.yaml --json | jq '.[] | select(.severity == "error")'

    Exit codes: 0 no errors (warnings alone pass); 1 the ledger has an error, or
    is missing or unreadable; 2 a usage error.
    """
    from ..load import LedgerUnusable

    path = ledger_path(file)
    try:
        # A big ledger's new cache entry is begun by a forked process as soon as it is read, beside the checks.
        ledger, problems = load_checked(path, write_behind=True)
        keep(ledger)
    except LedgerUnusable as e:
        if json_:
            emit_json([{"file": e.path, "line": 0, "col": 0, "severity": "error", "message": e.message, "ref": None}])
        fail(f"{e.path}: {e.message}")
    problems = sorted(problems, key=lambda p: p.sort_key())
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    if json_:
        emit_json([{"file": p.file, "line": p.line, "col": p.col, "severity": p.severity,
                    "message": p.message, "ref": p.ref} for p in problems])
    else:
        print_problems(problems)
    # The closing line is for people, pass or fail, so it goes where the problems go:
    # stderr (stdout holds only --json's data). A clean --json run says nothing more, and
    # imports no renderer.
    if json_ and not errors and ledger is not None:
        return
    from ..render import plural

    name = ledger.path if ledger else path
    if errors or ledger is None:
        err(f"{name}: {plural(errors, 'error')}, {plural(warnings, 'warning')}")
        raise typer.Exit(EXIT_DATA)
    if not json_:
        w = plural(warnings, "warning") if warnings else "no warnings"
        err(f"{name}: {plural(len(ledger.measures), 'measure')}, {plural(len(ledger.events), 'event')}, "
            f"{plural(len(ledger.sources), 'source')}, no errors, {w}")


@command()
def schema() -> None:
    """Print the JSON Schema of the ledger format.

    For editors: VS Code's YAML extension (yaml-language-server) validates and
    completes a ledger that names the schema in its first line.

    \b
    Examples:
      ledger schema > ledger.schema.json
      ledger schema | jq '.properties | keys'

    Exit codes: 0 success; 2 a usage error.
    """
    from ..schema import ledger_schema

    emit_json(ledger_schema())


# --- Which app runs ------------------------------------------------------------------------


def _name(info) -> str:
    from typer.main import get_command_name

    return info.name or get_command_name(info.callback.__name__)


def _app_with(names) -> typer.Typer:
    """An app holding these registered commands, in this order, with the global options."""
    by_name = {_name(info): info for info in _app.registered_commands}
    one = typer.Typer(**_APP_SETTINGS)
    one.registered_callback = _app.registered_callback
    one.registered_commands = [by_name[n] for n in names]
    return one


def whole_app() -> typer.Typer:
    """The app with every command, listed in COMMAND_MODULES' order whatever the import order."""
    for module in dict.fromkeys(COMMAND_MODULES.values()):
        importlib.import_module(module)
    return _app_with(COMMAND_MODULES)


def app_for(args: list[str]) -> typer.Typer:
    """The app that runs these arguments: for `ledger [--debug] CMD ...`, one holding
    only CMD; for anything else (no command, --help, --version, completion, a typo),
    the whole app, which says what there is."""
    i = 0
    while i < len(args) and (args[i] == "--debug" or args[i] in ("--file", "-f") or args[i].startswith("--file=")):
        i += 2 if args[i] in ("--file", "-f") else 1  # the global options, and --file's value
    name = args[i] if i < len(args) else None
    if name not in COMMAND_MODULES:
        return whole_app()
    importlib.import_module(COMMAND_MODULES[name])
    return _app_with([name])


def __getattr__(name: str):
    # `from ledger.cli import app`: the whole app, its command modules imported on first use.
    if name == "app":
        return whole_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    """Entry point: turns every failure into a message and an exit code, never a traceback."""
    try:
        app_for(sys.argv[1:])(standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        err("ledger: interrupted")
        sys.exit(130)
    except BrokenPipeError:
        _quiet_broken_pipe()
    except OutputFailed as e:
        err(f"ledger: standard output: {e}; the output is incomplete")
        sys.exit(EXIT_DATA)
    except Exception as e:  # the boundary: anything unexpected becomes one line
        if state.debug:
            raise
        err(f"ledger: internal error: {type(e).__name__}: {e}")
        err(f"ledger: this is a bug; rerun with --debug (or {ENV_DEBUG}=1) to see the traceback")
        sys.exit(EXIT_DATA)


def run() -> NoReturn:
    """The `ledger` command: `main()`, then a quick exit.

    Once the answer is written there is nothing left to tidy: freeing a 100,000-measure
    ledger object by object, as a normal interpreter exit does, costs about a tenth of a
    second. So the streams are flushed, exit handlers run, and the process ends at once.
    `main()` itself still ends with SystemExit, for anyone who calls it in-process.
    """
    import atexit

    state.ends_at_once = True
    try:
        main()
        code = 0
    except SystemExit as e:
        code = e.code
    if code is None:
        code = 0
    elif not isinstance(code, int):  # sys.exit("message"): print it, as Python would
        err(str(code))
        code = EXIT_DATA
    try:
        sys.stdout.flush()
    except BrokenPipeError:  # the reader left before the last bytes: end quietly, as cat does
        code = code or 141
    except (OSError, ValueError):  # a full disk, a closed stream: the output did not all get out
        code = code or EXIT_DATA
    try:
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    atexit._run_exitfuncs()
    os._exit(code)


def _quiet_broken_pipe() -> NoReturn:
    # `ledger timeline --json | head`: the reader left; end quietly, as cat does.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass
    sys.exit(141)
