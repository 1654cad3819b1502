"""Benchmarks. ``python -m bench`` runs them all; ``python -m bench NAME …`` runs some.

Each module here has a ``main()`` that prints its figures, each with a ratio to a baseline
measured in the same run: the machine is shared and noisy, so ratios are what to quote.
"""
