"""The framework floor: a do-nothing one-command Typer app that prints `[]`.

`bench/run.py` times it beside `ledger`: whatever Typer (and the pydantic it imports
when a command runs) costs at start-up, no ledger command can be faster than this.
"""

import sys

import typer

app = typer.Typer(add_completion=False)


@app.command()
def timeline(file: str | None = None, json_: bool = typer.Option(False, "--json")) -> None:
    """Print an empty JSON list."""
    sys.stdout.write("[]\n")


if __name__ == "__main__":
    app()
