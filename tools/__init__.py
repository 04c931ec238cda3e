"""Scripts that make the committed templates and samples; run from the repository root as
`python -m tools.<name>` (see the Makefile)."""
