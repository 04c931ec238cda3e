"""The pages: a unit's upload page behind its private link, the office's page behind a password."""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass
from typing import Any

from flask import Flask, abort, current_app, flash, redirect, render_template, request, send_file, session, url_for
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from reportgen.forms import FORMS_DIRNAME, form_filename, report_deadline
from reportgen.model import SEVERITY_LABEL, DubanState, parse_period, previous_month
from reportgen.web.auth import CSRF_FIELD, check_office_password, csrf_ok, new_csrf_token, office_password_set
from reportgen.web.batch import BatchRunner
from reportgen.web.dubans import duban_book
from reportgen.web.links import base_url
from reportgen.web.status import office_view, papers
from reportgen.web.store import WebStore
from reportgen.web.upload import UploadRefused, UploadTooLarge, limit_bytes, receive, too_large_message
from reportgen.workspace import Workspace

_PERIOD_DIR = re.compile(r"^\d{4}-\d{2}$")
_MULTIPART_SLACK = 64 * 1024  # form fields and boundaries around the file


@dataclass
class Site:
    """What the pages work on: the workspace, the default period and the batch runner."""

    ws: Workspace
    period: str
    runner: BatchRunner


def default_period(ws: Workspace, today: dt.date | None = None) -> str:
    """Return the latest period with a submissions folder, else last month."""
    root = ws.root / "input" / "submissions"
    found = sorted(p.name for p in root.iterdir() if p.is_dir() and _PERIOD_DIR.match(p.name)) \
        if root.is_dir() else []
    today = today or dt.date.today()
    return found[-1] if found else previous_month(f"{today:%Y-%m}")


def create_app(ws: Workspace, period: str | None = None) -> Flask:
    """Return the web application over workspace `ws`."""
    app = Flask(__name__)
    with WebStore(ws.ledger_path) as store:
        app.secret_key = store.secret_key()
    app.config.update(
        MAX_CONTENT_LENGTH=limit_bytes(ws) + _MULTIPART_SLACK,
        SESSION_COOKIE_NAME="reportgen_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=base_url(ws.config).startswith("https://"),
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=8),
    )
    app.extensions["reportgen"] = Site(ws, period or default_period(ws), BatchRunner(ws))
    _filters(app)
    _guards(app)
    _unit_routes(app)
    _login_routes(app)
    _office_routes(app)
    return app


def _filters(app: Flask) -> None:
    """Dates, months, sizes and severities written as the office writes them."""
    app.jinja_env.filters.update(
        month=lambda p: f"{int(p[:4])}年{int(p[5:7])}月",
        cndate=lambda d: f"{d.year}年{d.month}月{d.day}日",
        cntime=lambda t: f"{t.month}月{t.day}日 {t:%H:%M}" if t else "",
        kb=lambda n: f"{max(1, round(n / 1024))} KB",
        severity=lambda s: SEVERITY_LABEL[s],
    )


def _site() -> Site:
    site: Site = current_app.extensions["reportgen"]
    return site


def _message(title: str, text: str, code: int) -> ResponseReturnValue:
    return render_template("message.html", title=title, text=text), code


def _guards(app: Flask) -> None:
    """CSRF on every form, security headers on every answer, Chinese error pages."""

    @app.before_request
    def check_csrf() -> ResponseReturnValue | None:
        if request.method == "POST" and not csrf_ok(session.get("csrf"), request.form.get(CSRF_FIELD)):
            return _message("请求被拒绝", "表单缺少有效的校验码（页面可能已过期，或请求并非来自本网页）。"
                            "请刷新页面后重新提交", 400)
        return None

    @app.context_processor
    def csrf_field() -> dict[str, Any]:
        if "csrf" not in session:
            session["csrf"] = new_csrf_token()
        return {"csrf_field": CSRF_FIELD, "csrf_token": session["csrf"]}

    @app.after_request
    def headers(response: Any) -> Any:
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "no-referrer"  # the unit's link must not leak
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'")
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(exc: RequestEntityTooLarge) -> ResponseReturnValue:
        return _message("文件过大", too_large_message(_site().ws), 413)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> ResponseReturnValue:
        texts = {404: "没有这个页面。如果是单位报送链接，请核对链接是否完整，或向督查办索取本月链接",
                 405: "不支持这种访问方式"}
        return _message("无法访问", texts.get(exc.code or 0, "请求有误，请返回重试"), exc.code or 400)


def _unit_owner(token: str) -> tuple[str, str]:
    """Return (period, unit) of a link token, or answer 404."""
    if len(token) > 100:
        abort(404)
    with WebStore(_site().ws.ledger_path) as store:
        owner = store.link_owner(token)
    if owner is None:
        abort(404)
    return owner


def _unit_routes(app: Flask) -> None:
    @app.get("/u/<token>")
    def unit_page(token: str) -> ResponseReturnValue:
        period, unit = _unit_owner(token)
        ws = _site().ws
        with WebStore(ws.ledger_path) as store:
            uploads = store.uploads(period, unit)
        deadline = report_deadline(period, ws.config)
        blank = (ws.output_dir(period) / FORMS_DIRNAME / form_filename(unit)).is_file()
        return render_template(
            "unit.html", unit=unit, period=period, deadline=deadline, token=token, uploads=uploads,
            latest=uploads[0] if uploads else None, accepted=next((u for u in uploads if u.accepted), None),
            days_left=(deadline - dt.date.today()).days, blank=blank,
            limit_mb=ws.config.check.max_file_mb)

    @app.post("/u/<token>")
    def unit_upload(token: str) -> ResponseReturnValue:
        period, unit = _unit_owner(token)
        sent = request.files.get("file")
        if sent is None or not sent.filename:
            flash("请先选择要上传的报送表文件", "error")
            return redirect(url_for("unit_page", token=token))
        try:
            upload = receive(_site().ws, period, unit, sent.stream, sent.filename)
        except UploadTooLarge as exc:
            return _message("文件过大", str(exc), 413)
        except UploadRefused as exc:
            return _message("未接收", str(exc), 400)
        if upload.accepted:
            flash(f"第 {upload.version} 版已采用：报送表校验通过，已收到。", "ok")
        else:
            flash(f"第 {upload.version} 版未采用：{upload.reason}", "error")
        return redirect(url_for("unit_page", token=token))

    @app.get("/u/<token>/form")
    def unit_form(token: str) -> ResponseReturnValue:
        period, unit = _unit_owner(token)
        path = _site().ws.output_dir(period) / FORMS_DIRNAME / form_filename(unit)
        if not path.is_file():
            abort(404)
        return send_file(path, as_attachment=True, download_name=path.name)


def _office_only() -> ResponseReturnValue | None:
    if not session.get("office"):
        return redirect(url_for("office_login"))
    return None


def _period_or_404(period: str) -> str:
    try:
        return parse_period(period)
    except ValueError:
        abort(404)


def _login_routes(app: Flask) -> None:
    @app.get("/")
    def home() -> ResponseReturnValue:
        return redirect(url_for("office_home"))

    @app.route("/office/login", methods=["GET", "POST"])
    def office_login() -> ResponseReturnValue:
        ws = _site().ws
        if request.method == "POST":
            if check_office_password(ws, request.form.get("password", "")):
                session.clear()
                session.permanent = True
                session["office"] = True
                session["csrf"] = new_csrf_token()
                return redirect(url_for("office_home"))
            time.sleep(0.5)  # slows down guessing
            flash("密码不正确", "error")
        return render_template("login.html", password_set=office_password_set(ws))

    @app.post("/office/logout")
    def office_logout() -> ResponseReturnValue:
        session.clear()
        return redirect(url_for("office_login"))


def _office_routes(app: Flask) -> None:
    @app.get("/office/")
    def office_home() -> ResponseReturnValue:
        return _office_only() or redirect(url_for("office_page", period=_site().period))

    @app.get("/office/<period>")
    def office_page(period: str) -> ResponseReturnValue:
        if (denied := _office_only()) is not None:
            return denied
        period = _period_or_404(period)
        site = _site()
        batch = site.runner.snapshot()
        return render_template("office.html", view=office_view(site.ws, period), batch=batch,
                               today=dt.date.today(), periods=_periods(site))

    @app.get("/office/<period>/dubans")
    def office_dubans(period: str) -> ResponseReturnValue:
        if (denied := _office_only()) is not None:
            return denied
        period = _period_or_404(period)
        return render_template("dubans.html", period=period, book=duban_book(_site().ws, period), states=DubanState)

    @app.post("/office/<period>/run")
    def office_run(period: str) -> ResponseReturnValue:
        if (denied := _office_only()) is not None:
            return denied
        period = _period_or_404(period)
        refusal = _site().runner.start(period, pdf=request.form.get("pdf") == "1")
        flash(refusal or f"已开始生成 {period} 的材料，本页会自动刷新显示进度", "error" if refusal else "ok")
        return redirect(url_for("office_page", period=period))

    @app.get("/office/<period>/papers/<path:name>")
    def office_paper(period: str, name: str) -> ResponseReturnValue:
        if (denied := _office_only()) is not None:
            return denied
        period = _period_or_404(period)
        ws = _site().ws
        # only a file the listing offers is served: the name in the address is never a path
        match = next((f for f in papers(ws, period) if f.name == name), None)
        if match is None:
            abort(404)
        path = ws.output_dir(period).joinpath(*match.name.split("/"))
        return send_file(path, as_attachment=True, download_name=path.name)


def _periods(site: Site) -> list[str]:
    root = site.ws.root / "input" / "submissions"
    found = {p.name for p in root.iterdir() if p.is_dir() and _PERIOD_DIR.match(p.name)} if root.is_dir() else set()
    return sorted(found | {site.period}, reverse=True)
