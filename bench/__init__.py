"""Benchmark kit for issue 6: a deterministic corpus, its peer-tool twins, and a runner.

Run the pieces as modules from the repository root (`python -m bench.corpus`,
`python -m bench.run`); docs/benchmarks.md has the full commands.
"""
