"""Commands: export. (Registered on ledger.cli.app.)"""

from __future__ import annotations
