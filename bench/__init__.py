"""Huayu's benchmark suite: `python -m core bench` (see `bench.suite`).

Each module measures one row of BENCHMARKS.md, always comparing two or more ways of doing the same
thing within one run, so a row holds up on whatever machine it is run on.
"""
