"""``python -m entrypoints``: the ``baosong`` command line (how ``up`` starts its helpers)."""

from entrypoints.cli import main

main()
