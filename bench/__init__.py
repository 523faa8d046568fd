"""Load benchmarks for iil-lms: `python -m bench` (or `make bench`); see bench/README.md."""
