"""escalation-ledger: a plain-text ledger of trade and sanctions measures."""
