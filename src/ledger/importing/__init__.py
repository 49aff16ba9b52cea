"""Imports: other people's data in, as generated ledger files.

`ledger import gta` (Global Trade Alert's API dumps, `gta.py`) and `ledger import csv`
(our own CSV export or any spreadsheet, `csvin.py`) turn parsed input into ledger text
with pure functions; `common.py` holds what both write: the generated file's layout,
its header, and how a re-import keeps what the last one wrote (removed measures are
marked, not deleted). The cli (`cli/imports.py`) reads the files, prints and exits.
"""
