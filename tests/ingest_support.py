"""Builders for the ingest tests and benchmark: a small plan and filled forms made by code.

Forms are the real ones (reportgen.forms.write_form), then typed into with openpyxl.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from reportgen import formspec as fs
from reportgen.config import Config
from reportgen.model import (
    Item,
    Milestone,
    MilestoneKind,
    Plan,
    Section,
    Task,
    Unit,
)

MED = "现代医药产业招商服务中心"
LAND = "规划和自然资源分局"
ECON = "经济运行与安全监管部"
EQUIP = "装备制造及大数据产业招商服务中心"


def _ms(code: str, due: str, text: str, kind: MilestoneKind = MilestoneKind.STEP,
        amount: float | None = None, units: list[str] | None = None) -> Milestone:
    return Milestone(code, dt.date.fromisoformat(due), text, kind, amount, units or [])


def make_plan() -> Plan:
    """Return a four-unit plan shaped like the seed document."""
    inv = MilestoneKind.INVESTMENT
    items = [
        Item("P01", 1, Section.PROJECT, "双雁生物医药产业园一期项目", 3.0, "含设备", tasks=[
            Task("P01-0", 0, "服务保障项目顺利建设", [MED], [MED], milestones=[
                _ms("P01-M01", "2024-06-30", "上半年至少完成投资1亿元", inv, 1.0, [MED]),
                _ms("P01-M02", "2024-09-30", "前三季度完成投资2亿元", inv, 2.0, [MED]),
                _ms("P01-M03", "2024-12-31", "全年完成投资3亿元以上", inv, 3.0, [MED]),
            ])]),
        Item("P03", 3, Section.PROJECT, "云冈纸业12万吨生活用纸项目", 1.0, tasks=[
            Task("P03-0", 0, "及时督促指导企业入库入统", [MED], [MED], milestones=[
                _ms("P03-M01", "2024-06-30", "上半年完成项目入统", MilestoneKind.FILING, None, [MED]),
                _ms("P03-M02", "2024-06-30", "上半年完成投资0.4亿元", inv, 0.4, [MED]),
            ])]),
        Item("P07", 7, Section.PROJECT, "海博思创储能项目", 6.0, tasks=[
            Task("P07-1", 1, "加快开展土地组卷报批工作", [LAND], [LAND], milestones=[
                _ms("P07-M01", "2024-06-20", "2024年6月20日前完成用地预审", units=[LAND]),
                _ms("P07-M02", "2024-08-31", "8月底完成土地报批", units=[LAND]),
                _ms("P07-M03", "2024-09-10", "9月10日前土地挂牌", units=[LAND]),
            ]),
            Task("P07-2", 2, "帮助企业纳入省能源局入库名录", [ECON], [ECON], milestones=[
                _ms("P07-M04", "2024-06-30", "2024年6月30日前纳入省能源局入库名录", units=[ECON]),
            ]),
            Task("P07-4", 4, "督促企业完成招标", [EQUIP], [EQUIP], milestones=[
                _ms("P07-M05", "2024-09-20", "9月20日前完成设计、总包、监理等招标", units=[EQUIP]),
                _ms("P07-M06", "2024-12-31", "全年完成投资6亿元以上", inv, 6.0, [EQUIP]),
            ]),
        ]),
        Item("T01", 1, Section.TASK, "研究破解同达药业扩建项目用地的问题", None, tasks=[
            Task("T01-0", 0, "学习考察广灵在土地调规上的做法", [LAND], [LAND], milestones=[
                _ms("T01-M01", "2024-06-30", "2024年6月30日前形成结论方案", units=[LAND]),
            ])]),
    ]
    units = [Unit(MED, ["医药招商中心"]), Unit(LAND, ["规划分局"]), Unit(ECON), Unit(EQUIP)]
    return Plan(2024, "2024年重点项目推进任务分解", "v1test", items, units)


def make_form(
    plan: Plan,
    unit: str,
    period: str,
    path: Path,
    figures: dict[str, Any] | None = None,
    milestones: dict[str, dict[str, Any]] | None = None,
    footer: dict[str, Any] | None = None,
    meta: bool = True,
    config: Config | None = None,
) -> Path:
    """Write `unit`'s real form with write_form, fill it as a unit would, and return its path."""
    from reportgen.forms import write_form

    key = (id(plan), id(config), unit, period)
    if key not in _BLANK:
        blank = path.with_name(path.name + ".blank.xlsx")
        write_form(plan, config or Config(), period, unit, blank,
                   generated_at=dt.datetime(2024, 7, 1, 8, 0))
        _BLANK[key] = blank.read_bytes()
        blank.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_BLANK[key])
    return fill_form(path, figures, milestones, footer, meta=meta)


_BLANK: dict[tuple[int, int, str, str], bytes] = {}  # blank forms already written


def fill_form(
    path: Path,
    figures: dict[str, Any] | None = None,
    milestones: dict[str, dict[str, Any]] | None = None,
    footer: dict[str, Any] | None = None,
    meta: bool = True,
) -> Path:
    """Type values into a form's input cells (found by row code and header text); return path."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    for sheet, headers, values in (
        (fs.SHEET_FIGURES, fs.FIGURE_HEADERS, {k: {"value": v} for k, v in (figures or {}).items()}),
        (fs.SHEET_MILESTONES, fs.MILESTONE_HEADERS, milestones or {}),
    ):
        ws = wb[sheet]
        cols = {k: c for c in range(1, ws.max_column + 1) for k, text in headers.items()
                if ws.cell(fs.HEADER_ROW, c).value == text}
        for r in range(fs.FIRST_DATA_ROW, ws.max_row + 1):
            answers = values.get(ws.cell(r, cols["code"]).value)
            for key, value in (answers or {}).items():
                cell = ws.cell(r, cols[key], value)
                if isinstance(value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
    foot = footer if footer is not None else {"填报人": "李华", "联系电话": "13900000000"}
    ws = wb[fs.SHEET_MILESTONES]
    for row in ws.iter_rows():
        for cell in row:
            label = str(cell.value or "").split("（")[0]
            if cell.value in fs.FOOTER_LABELS and label in foot:
                ws.cell(cell.row, cell.column + 1, foot[label])
    if not meta:
        del wb[fs.SHEET_META]
    wb.save(path)
    return path


def unit_codes(plan: Plan, unit: str, config: Config | None = None) -> tuple[list[str], list[str]]:
    """Return the figure keys and milestone codes of `unit`'s form."""
    from reportgen.forms import unit_rows

    rows = unit_rows(plan, config or Config(), unit)
    return [f.key for f in rows.figures], [m.milestone.code for m in rows.milestones]


def good_values(unit: str) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Return a clean set of figures and milestone answers for `unit`."""
    figs, codes = unit_codes(make_plan(), unit)
    figures = {key: round(0.5 + i * 0.25, 2) for i, key in enumerate(figs)}
    answers = {
        code: {"status": "已完成", "completed_on": dt.date(2024, 6, 10 + i), "progress": f"{code}进展"}
        if i % 2 == 0 else {"status": "推进中", "progress": f"{code}正在推进", "problems": "无"}
        for i, code in enumerate(codes)
    }
    return figures, answers


def patch_zip(path: Path, edits: dict[str, Any], extra: dict[str, bytes] | None = None) -> Path:
    """Rewrite members of a zip file: name -> new bytes, or a function of the old bytes."""
    import zipfile

    with zipfile.ZipFile(path) as src:
        members = [(i, src.read(i)) for i in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in members:
            edit = edits.get(info.filename)
            if edit is not None:
                data = edit(data) if callable(edit) else edit
            out.writestr(info.filename, data)
        for name, data in (extra or {}).items():
            out.writestr(name, data)
    return path


def encrypted_ooxml(path: Path) -> Path:
    """Write the skeleton of a password-protected .xlsx: an OLE compound file with EncryptedPackage."""
    import struct

    end, free, fatsect = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIII", header, 44, 1, 1, 0, 4096, end, 0, end, 0)
    struct.pack_into("<I", header, 76, 0)
    for k in range(1, 109):
        struct.pack_into("<I", header, 76 + 4 * k, free)
    fat = struct.pack("<II", fatsect, end) + b"\xff" * (512 - 8)

    def entry(name: str, kind: int, child: int = free, right: int = free) -> bytes:
        raw = name.encode("utf-16-le") + b"\x00\x00"
        e = bytearray(128)
        e[0:len(raw)] = raw
        struct.pack_into("<HBB", e, 64, len(raw), kind, 1)
        struct.pack_into("<III", e, 68, free, right, child)
        struct.pack_into("<II", e, 116, end, 0)
        return bytes(e)

    directory = (entry("Root Entry", 5, child=1) + entry("EncryptionInfo", 2, right=2)
                 + entry("EncryptedPackage", 2) + bytes(128))
    path.write_bytes(bytes(header) + fat + directory)
    return path


def land_and_econ_forms(workspace: Any, period: str, footer: dict[str, Any],
                        econ_name: str | None = None) -> tuple[Plan, Path]:
    """Write make_plan()'s master workbook and 规划's and 经济运行's forms (all 推进中) into `period`'s folder.

    Returns the plan read back and the folder; `econ_name` renames 经济运行's file.
    """
    from reportgen.plan.master_writer import write_plan_workbook
    from reportgen.plan.workbook import load_plan

    path = write_plan_workbook(make_plan(), workspace.plan_dir / "任务分解.xlsx")
    plan = load_plan(path, workspace.config)
    folder = workspace.submissions_dir(period)
    folder.mkdir(parents=True)
    make_form(plan, LAND, period, folder / f"{LAND}.xlsx", {},
              {c: {"status": "推进中"} for c in ("P07-M01", "P07-M02", "P07-M03", "T01-M01")}, footer,
              config=workspace.config)
    make_form(plan, ECON, period, folder / (econ_name or f"{ECON}.xlsx"), {}, {"P07-M04": {"status": "推进中"}},
              footer, config=workspace.config)
    return plan, folder
