"""Each unit's private upload link for a period, as printed in its 填报说明 and distribution pack."""

from __future__ import annotations

from reportgen.config import Config
from reportgen.web.store import WebStore
from reportgen.workspace import Workspace

UNIT_PATH = "/u/"  # a unit's page: /u/<token>


def base_url(config: Config) -> str:
    """Return the address the pages are reached at, without a trailing slash."""
    web = config.web
    return (web.base_url or f"http://{web.host}:{web.port}").rstrip("/")


def unit_link(ws: Workspace, period: str, unit: str) -> str:
    """Return `unit`'s private upload address for `period` (the link is made on first use)."""
    return unit_links(ws, period, [unit])[unit]


def unit_links(ws: Workspace, period: str, units: list[str]) -> dict[str, str]:
    """Return unit -> private upload address for `period`, one database visit for them all."""
    with WebStore(ws.ledger_path) as store:
        return {u: f"{base_url(ws.config)}{UNIT_PATH}{store.link_token(period, u)}" for u in units}
