"""Who may do what: the office's password (stored hashed) and a CSRF token on every form."""

from __future__ import annotations

import hmac
import secrets

from werkzeug.security import check_password_hash, generate_password_hash

from reportgen.errors import UsageError
from reportgen.web.store import WebStore
from reportgen.workspace import Workspace

PASSWORD_KEY = "office_password"
MIN_PASSWORD = 8
CSRF_FIELD = "csrf_token"


def set_office_password(ws: Workspace, password: str) -> None:
    """Store the office's password as a salted scrypt hash (UsageError when too short)."""
    if len(password) < MIN_PASSWORD:
        raise UsageError(f"密码至少 {MIN_PASSWORD} 位")
    with WebStore(ws.ledger_path) as store:
        store.set_setting(PASSWORD_KEY, generate_password_hash(password, method="scrypt"))


def office_password_set(ws: Workspace) -> bool:
    """Return True when the office's password has been set."""
    with WebStore(ws.ledger_path) as store:
        return store.setting(PASSWORD_KEY) is not None


def check_office_password(ws: Workspace, password: str) -> bool:
    """Return True when `password` is the office's."""
    with WebStore(ws.ledger_path) as store:
        stored = store.setting(PASSWORD_KEY)
    return stored is not None and check_password_hash(stored, password)


def new_csrf_token() -> str:
    """Return a fresh random token for a session's forms."""
    return secrets.token_urlsafe(32)


def csrf_ok(expected: str | None, sent: str | None) -> bool:
    """Return True when the form's token is the session's, compared in constant time."""
    return bool(expected) and bool(sent) and hmac.compare_digest(str(expected).encode(), str(sent).encode())
