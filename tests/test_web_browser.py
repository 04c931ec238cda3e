"""`reportgen serve` in a real browser (Debian's chromium, driven by Selenium) against waitress.

As a unit: a broken form, then a correction. As the office: log in, watch the unit's status
change, run the batch, download the bulletin. Skipped when chromium or its driver is absent.
Set REPORTGEN_SCREENSHOT_DIR to keep the screenshots of the two pages (docs/img/ in README).
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

webdriver = pytest.importorskip("selenium.webdriver")

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from reportgen.web.auth import set_office_password  # noqa: E402
from reportgen.web.links import unit_link  # noqa: E402
from reportgen.web.server import make_server  # noqa: E402
from reportgen.workspace import Workspace  # noqa: E402
from tests.web_support import PASSWORD, PERIOD, filled_form, sample_workspace, units_of  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="chromium 或 chromium-driver 未安装"),
]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Workspace, str]]:
    """A workspace served by waitress on a free loopback port; yields it and its address."""
    ws = sample_workspace(tmp_path / "ws")
    set_office_password(ws, PASSWORD)
    server = make_server(ws, "127.0.0.1", 0, period=PERIOD)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield ws, f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()
        thread.join(5)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    """A headless chromium with a fresh profile, downloading into tmp_path/downloads."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1200,900", "--lang=zh-CN"):
        options.add_argument(flag)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=DRIVER), options=options)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    try:
        yield driver
    finally:
        driver.quit()


def _local(link: str, address: str) -> str:
    return address + link[link.index("/u/"):]


def _row_status(driver: Any, unit: str) -> str:
    row = driver.find_element(By.CSS_SELECTOR, f'#units tr[data-unit="{unit}"]')
    return str(row.find_element(By.CSS_SELECTOR, "td.status").text)


def _shot(driver: Any, tmp_path: Path, name: str) -> Path:
    """Save a screenshot (a small palette PNG); copy it to REPORTGEN_SCREENSHOT_DIR when set."""
    from PIL import Image

    raw = tmp_path / f"{name}.raw.png"
    driver.save_screenshot(str(raw))
    path = tmp_path / f"{name}.png"
    Image.open(raw).convert("RGB").quantize(colors=64).save(path, optimize=True)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("REPORTGEN_SCREENSHOT_DIR"):
        shutil.copy2(path, Path(os.environ["REPORTGEN_SCREENSHOT_DIR"]) / path.name)
    return path


def _flash(driver: Any, selector: str) -> Any:
    """The message the page shows after a form is sent (the upload is checked first: wait for it)."""
    return WebDriverWait(driver, 60, poll_frequency=0.2).until(
        lambda d: d.find_element(By.CSS_SELECTOR, selector) if d.find_elements(By.CSS_SELECTOR, selector) else False)


def _unit_uploads(driver: Any, ws: Workspace, link: str, unit: str, tmp_path: Path) -> None:
    driver.get(link)
    assert driver.find_element(By.ID, "unit").text == unit
    assert driver.find_element(By.ID, "deadline").text == "2024年9月5日"
    assert "尚未报送" in driver.find_element(By.ID, "state").text
    broken = filled_form(ws, unit, tmp_path / "forms" / "六月报送表.xlsx", broken=True)
    driver.find_element(By.ID, "file").send_keys(str(broken))
    driver.find_element(By.ID, "upload").click()
    assert "第 1 版未采用" in _flash(driver, ".flash.error").text
    cells = [td.text for td in driver.find_elements(By.CSS_SELECTOR, "#issues td.cell")]
    assert any(c.startswith("F") for c in cells)
    assert "见附件" in driver.find_element(By.ID, "issues").text
    good = filled_form(ws, unit, tmp_path / "forms" / "六月报送表（更正）.xlsx")
    driver.find_element(By.ID, "file").send_keys(str(good))
    driver.find_element(By.ID, "upload").click()
    assert "第 2 版已采用" in _flash(driver, ".flash.ok").text
    assert "已报送" in driver.find_element(By.ID, "state").text
    assert len(driver.find_elements(By.CSS_SELECTOR, "#versions tbody tr")) == 2


def test_a_unit_uploads_and_the_office_runs_the_batch(served: tuple[Workspace, str], browser: Any,
                                                       tmp_path: Path) -> None:
    ws, address = served
    unit, other = units_of(ws)[:2]
    browser.get(address + "/office/")
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.ID, "login").click()
    assert _row_status(browser, unit) == "逾期未报"
    office = browser.current_url

    _unit_uploads(browser, ws, _local(unit_link(ws, PERIOD, unit), address), unit, tmp_path)
    _shot(browser, tmp_path, "web-unit")
    assert (ws.submissions_dir(PERIOD) / f"{unit}（网上报送）.xlsx").is_file()

    browser.get(office)
    assert _row_status(browser, unit) == "已报送" and _row_status(browser, other) == "逾期未报"
    assert browser.find_element(By.ID, "reported").text == "1"
    browser.find_element(By.ID, "run").click()
    assert "已开始生成" in _flash(browser, ".flash.ok").text
    WebDriverWait(browser, 180, poll_frequency=1).until(
        lambda d: d.find_elements(By.ID, "batch-result"))
    assert "已生成 2024-08 的材料" in browser.find_element(By.ID, "batch-result").text
    browser.set_window_size(1200, 1500)
    _shot(browser, tmp_path, "web-office")

    browser.find_element(By.LINK_TEXT, "进度通报.docx").click()
    target = tmp_path / "downloads" / "进度通报.docx"
    for _ in range(100):
        if target.is_file():
            break
        time.sleep(0.1)
    from docx import Document

    text = "\n".join(p.text for p in Document(str(target)).paragraphs)
    assert "2024年8月" in text and unit in text
