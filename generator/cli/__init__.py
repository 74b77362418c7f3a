"""The `medguide` command and what only it uses (new medicine, review report)."""
