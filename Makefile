PY ?= python3

.PHONY: test lint templates samples bench

test:
	$(PY) -m pytest

lint:
	ruff check reportgen tests benchmarks tools
	mypy
	lint-imports

templates:
	$(PY) -m tools.make_word_templates
	$(PY) -m tools.make_excel_template
	$(PY) -m tools.template_versions

samples:
	$(PY) -m tools.make_samples

bench:
	$(PY) -m benchmarks.run_bench
