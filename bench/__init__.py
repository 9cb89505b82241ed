"""Benchmark kit (issues 6 and 12): a deterministic corpus, its peer-tool twins, a runner, and
a timer and profiler of the build's stages.

The corpus as data is bench/model.py; bench/corpus.py writes it as a site-builder project and
bench/peers.py as Hugo, Pelican and MkDocs sites. Run the pieces as modules from the
repository root (`python -m bench.corpus`, `python -m bench.run`, `python -m bench.phases`,
`python -m bench.profile`); docs/benchmarks.md has the full commands.
"""
