"""Benchmarks: `make bench` (or `python -m bench [import|cards] …`). Results go to bench/results/*.json
and are summarised by hand in docs/BENCHMARKS.md with the machine and date."""
