PY ?= python3

.PHONY: test lint templates samples bench

test:
	$(PY) -m pytest

lint:
	ruff check reportgen tests benchmarks tools
	mypy

templates:
	$(PY) tools/make_templates.py

samples:
	$(PY) tools/make_samples.py

bench:
	$(PY) benchmarks/run_bench.py
