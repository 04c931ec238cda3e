"""What the web pages keep in the ledger: units' private links, uploaded versions, settings.

The tables come from the ledger's `0002_web_uploads` migration; this class adds the queries
the pages need on top of the ledger's connection and transactions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field
from typing import Any

from reportgen.ledger import Ledger, insert_rows
from reportgen.model import Issue, Severity


def token_digest(token: str) -> str:
    """Return the SHA-256 of a link token, the key a token is looked up by."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass
class Upload:
    """One uploaded version of a unit's form and what the check found in it."""

    id: int
    period: str
    unit: str
    version: int
    original_name: str  # as the browser sent it: shown, never used as a path
    stored_path: str  # relative to the workspace
    size: int
    sha256: str
    uploaded_at: dt.datetime
    accepted: bool
    placed_as: str  # file name in input/submissions/<period>/ when accepted
    reason: str  # why it was not accepted, in Chinese (empty when accepted)
    issues: list[Issue] = field(default_factory=list)

    @property
    def errors(self) -> int:
        """Return how many errors the check found."""
        return sum(i.severity is Severity.ERROR for i in self.issues)

    @property
    def warnings(self) -> int:
        """Return how many warnings the check found."""
        return sum(i.severity is Severity.WARNING for i in self.issues)


_UPLOAD_COLUMNS = ("id", "period", "unit", "version", "original_name", "stored_path", "size", "sha256",
                   "uploaded_at", "accepted", "placed_as", "reason", "issues")


def _issues_json(issues: list[Issue]) -> str:
    return json.dumps([{"severity": i.severity.value, "message": i.message, "code": i.code, "file": i.file,
                        "sheet": i.sheet, "cell": i.cell, "unit": i.unit} for i in issues], ensure_ascii=False)


def _upload(row: tuple[Any, ...]) -> Upload:
    values = dict(zip(_UPLOAD_COLUMNS, row, strict=True))
    issues = [Issue(Severity(d.pop("severity")), **d) for d in json.loads(values.pop("issues"))]
    values["uploaded_at"] = dt.datetime.fromisoformat(values["uploaded_at"])
    values["accepted"] = bool(values["accepted"])
    return Upload(**values, issues=issues)


class WebStore(Ledger):
    """The ledger, with the queries of the upload and office pages."""

    def __enter__(self) -> WebStore:
        return self

    # -- links

    def link_token(self, period: str, unit: str) -> str:
        """Return `unit`'s private token for `period`, made (random, 192 bits) on first use."""
        row = self._conn.execute(
            "SELECT token FROM upload_links WHERE period = ? AND unit = ?", (period, unit)).fetchone()
        if row:
            return str(row[0])
        token = secrets.token_urlsafe(24)
        with self._transaction() as tx:
            insert_rows(tx, "upload_links", [{
                "period": period, "unit": unit, "token": token, "token_sha256": token_digest(token),
                "created_at": dt.datetime.now().isoformat(timespec="seconds")}], or_else="IGNORE")
        # another request may have made it first: the stored one is the unit's link
        return self.link_token(period, unit)

    def link_owner(self, token: str) -> tuple[str, str] | None:
        """Return (period, unit) whose link is `token`, or None; the token is compared in constant time."""
        row = self._conn.execute(
            "SELECT period, unit, token FROM upload_links WHERE token_sha256 = ?", (token_digest(token),)
        ).fetchone()
        if row is None or not hmac.compare_digest(str(row[2]).encode(), token.encode("utf-8", "replace")):
            return None
        return str(row[0]), str(row[1])

    # -- uploads

    def add_upload(self, period: str, unit: str, original_name: str, stored_path: str, size: int,
                   sha256: str, placed_as: str, reason: str, issues: list[Issue]) -> Upload:
        """Record an uploaded version (numbered 1, 2, … per unit and period) and return it."""
        with self._transaction() as tx:
            version = tx.execute(
                "SELECT COALESCE(MAX(version), 0) + 1 FROM uploads WHERE period = ? AND unit = ?",
                (period, unit)).fetchone()[0]
            insert_rows(tx, "uploads", [{
                "period": period, "unit": unit, "version": version, "original_name": original_name,
                "stored_path": stored_path, "size": size, "sha256": sha256,
                "uploaded_at": dt.datetime.now().isoformat(timespec="seconds"), "accepted": int(not reason),
                "placed_as": placed_as, "reason": reason, "issues": _issues_json(issues)}])
        return next(u for u in self.uploads(period, unit) if u.version == version)

    def uploads(self, period: str, unit: str | None = None) -> list[Upload]:
        """Return the period's uploads (or one unit's), newest first."""
        sql = f"SELECT {', '.join(_UPLOAD_COLUMNS)} FROM uploads WHERE period = :period"
        if unit is not None:
            sql += " AND unit = :unit"
        rows = self._conn.execute(sql + " ORDER BY id DESC", {"period": period, "unit": unit})
        return [_upload(r) for r in rows]

    # -- settings

    def setting(self, key: str) -> str | None:
        """Return a stored setting of the web pages, or None."""
        row = self._conn.execute("SELECT value FROM web_settings WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_setting(self, key: str, value: str) -> None:
        """Store a setting of the web pages."""
        with self._transaction() as tx:
            tx.execute("INSERT INTO web_settings (key, value) VALUES (:key, :value) "
                       "ON CONFLICT(key) DO UPDATE SET value = excluded.value", {"key": key, "value": value})

    def secret_key(self) -> str:
        """Return the key that signs session cookies, made on first use and kept across restarts."""
        with self._transaction() as tx:
            insert_rows(tx, "web_settings", [{"key": "secret_key", "value": secrets.token_hex(32)}],
                        or_else="IGNORE")
        return self.setting("secret_key") or ""
