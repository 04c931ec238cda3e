PY ?= python3

.PHONY: test lint templates samples bench

test:
	$(PY) -m pytest

lint:
	ruff check reportgen tests benchmarks tools
	mypy
	lint-imports

templates:
	$(PY) tools/make_word_templates.py
	$(PY) tools/make_excel_template.py

samples:
	$(PY) tools/make_samples.py

bench:
	$(PY) -m benchmarks.run_bench
