"""The order of Issue records, one for every listing of them: 校验报告, summary.json, the terminal.

Errors first, then warnings, then notes; within each by unit, file, sheet and cell (B9 before B10),
then code and text. Two stages may find the same thing (reading a form and reconciling it): it is
listed once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from reportgen.model import Issue, Severity

_SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def issue_sort_key(issue: Issue) -> tuple[int, str, str, str, str, str, str]:
    """Return the key that orders issues: severity, then unit, file, sheet, cell, code, text."""
    return (
        _SEVERITY_ORDER[issue.severity], issue.unit, issue.file, issue.sheet,
        _natural(issue.cell), issue.code, issue.message,
    )


def merge_issues(*lists: Iterable[Issue]) -> list[Issue]:
    """Return the issues of all lists, duplicates dropped, in `issue_sort_key` order."""
    seen: dict[tuple[str, ...], Issue] = {}
    for issues in lists:
        for i in issues:
            key = (i.severity.value, i.code, i.file, i.sheet, i.cell, i.unit, i.message)
            seen.setdefault(key, i)
    return sorted(seen.values(), key=issue_sort_key)


def _natural(text: str) -> str:
    # "B10" after "B9": pad every digit run
    return re.sub(r"\d+", lambda m: m.group().zfill(8), text)
