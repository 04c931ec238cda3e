"""Make the sample submissions of the example workspace (input/submissions/2024-06, 2024-07).

Run from the repository root:  python -m tools.make_samples

It builds each unit's form with reportgen.forms from the example master workbook, fills it
by code the way the units would, and writes what it wrote to input/submissions/expected.json,
so tests of the reader can check that reading the samples gives exactly these values.
The July forms are pre-filled with the June answers, as the ledger would do.

The cast, consistent across the two months:
- most units report on time; cumulative investment grows; some amount milestones are met in
  June (P01, P03), one only in July (P04 → done_late); several steps are done;
- 规划和自然资源分局 is late on several milestones;
- 华睿集团 does not report (either month);
- 建设管理部 types numbers and dates as text (1.2亿, １．５, 500万元, 2024.6.25, 6月25日);
- 现代服务业招商服务中心 writes `&` and `<` in its progress text;
- 经济运行与安全监管部 renames its June file;
- 通航及纺织产业招商服务中心 returns July as .xls (made with LibreOffice; skipped if absent).

Deterministic: the same plan and code give the same .xlsx bytes (the .xls from LibreOffice is
kept as it is while the form it came from has not changed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportgen import formspec as fs
from reportgen.forms import all_unit_rows, build_forms, form_units, save_workbook
from reportgen.model import (
    REPORTED_LABEL,
    MilestoneKind,
    MilestoneReport,
    Plan,
    Prefill,
    Reported,
    period_end,
)
from reportgen.plan.workbook import load_plan
from reportgen.workspace import Workspace, open_workspace

ROOT = Path(__file__).resolve().parent.parent

PERIODS = ("2024-06", "2024-07")
EXPECTED = "expected.json"

SILENT = "华睿集团"  # never reports
LATE = "规划和自然资源分局"  # late on several milestones
TYPIST = "建设管理部"  # types numbers and dates as text
MARKUP = "现代服务业招商服务中心"  # & and < in its texts
RENAMED = {("2024-06", "经济运行与安全监管部"): "经济运行与安全监管部6月份重点项目报送表（已审核）"}
AS_XLS = {("2024-07", "通航及纺织产业招商服务中心")}

# Cumulative 亿元 by figure key, June then July. Items not listed grow from their target.
FIGURES: dict[str, tuple[float, float]] = {
    "P01/invest": (1.15, 1.42),  # 上半年 1 亿: met in June
    "P02/invest": (0.62, 0.78),
    "P03/invest": (0.42, 0.51),  # 上半年 0.4 亿: met in June
    "P04/invest": (0.32, 0.45),  # 上半年 0.4 亿: met only in July → done_late
    "P05/invest": (0.18, 0.22),
    "P06/invest": (0.0, 0.05),
    "P07/invest": (0.0, 0.0),
    "P08/invest": (0.25, 0.38),
    "P08/invoice": (0.2, 0.35),
    "P09/invest": (0.0, 0.1),
    "P09/invoice": (0.0, 0.05),
    "P10/invest": (0.12, 0.3),
    "P10/invoice": (0.1, 0.22),
    "P11/invest": (0.05, 0.12),
    "P12/invest": (0.85, 1.05),
    "P13/invest": (0.3, 0.42),
    "P14/invest": (1.2, 1.5),
}
# What the typist writes for its figures (value in 亿元 is FIGURES'), and for its dates.
TYPED_FIGURES = {
    ("2024-06", "P14/invest"): "1.2亿",
    ("2024-07", "P14/invest"): "１．５",
    ("2024-06", "P11/invest"): "500万元",
    ("2024-07", "P11/invest"): "1200万元",
}
TYPED_DATES = {"2024-06": "{y}.{m}.{d}", "2024-07": "{m}月{d}日"}
# Milestones done late by units that are otherwise on time: (unit, code) -> July date
LATE_EXCEPTIONS = {
    ("现代医药产业招商服务中心", "P05-M01"): dt.date(2024, 7, 8),
    ("新材料新能源产业招商服务中心", "T04-M01"): dt.date(2024, 7, 10),
}
# Texts with & and < (the progress column of two of MARKUP's milestones)
MARKUP_TEXTS = {
    "T03-M01": "已与企业对接R&D中心建设计划，企业今年计划投资<5000万元，正在细化清单。",
    "P10-M01": "设备购置合同签订率<30%，已达到入统条件&已向统计中心报送资料。",
}
CONTACTS = [("王伟", "13903521001"), ("李娜", "13903521002"), ("张强", "13903521003"),
            ("刘洋", "13903521004"), ("陈静", "13903521005"), ("杨帆", "13903521006"),
            ("赵磊", "13903521007"), ("黄敏", "13903521008"), ("周杰", "13903521009"),
            ("吴芳", "13903521010"), ("徐斌", "13903521011"), ("孙丽", "13903521012"),
            ("马超", "13903521013"), ("朱红", "13903521014")]
REVIEWERS = ["郭建华", "何志远", "高明", "林海", "罗平", "郑光明", "梁晨", "谢东"]


@dataclass
class Answer:
    """What one unit writes in one period's form."""

    unit: str
    figures: dict[str, tuple[Any, float | None, str]] = field(default_factory=dict)  # raw, 亿元, note
    reports: dict[str, MilestoneReport] = field(default_factory=dict)
    raw_dates: dict[str, str] = field(default_factory=dict)  # code -> date typed as text
    contact: dict[str, Any] = field(default_factory=dict)


def _n(text: str) -> int:
    return zlib.crc32(text.encode("utf-8"))


def _figure(key: str, target: float | None, period: str) -> float:
    if key in FIGURES:
        return FIGURES[key][PERIODS.index(period)]
    share = (0.4, 0.5)[PERIODS.index(period)]
    return round((target or 0.0) * share, 2)


def _texts(kind: MilestoneKind, status: Reported) -> tuple[str, str]:
    if status is Reported.DONE:
        return ("已按要求提交入统资料，统计部门已审核通过。" if kind is MilestoneKind.FILING
                else "已按要求完成。", "")
    if status is Reported.NOT_STARTED:
        return "尚未启动，前期对接中。", "提前谋划，按时启动。"
    if kind is MilestoneKind.FILING:
        return "正在指导企业准备入统资料。", "加快资料准备，确保按期提交。"
    return "相关手续正在办理中。", "加快推进，确保按期完成。"


def _report(unit: str, code: str, kind: MilestoneKind, due: dt.date | None, period: str,
            nth_late: int) -> MilestoneReport:
    """Decide what `unit` says of one milestone in `period`."""
    as_of = period_end(period)
    july = period == PERIODS[1]
    done_on: dt.date | None = None
    status = Reported.ONGOING
    problems = ""
    if unit == LATE and due is not None and due <= period_end(PERIODS[0]):
        # every milestone due in June slips; two of them are finished in July
        if july and nth_late % 2 == 0:
            status, done_on = Reported.DONE, dt.date(2024, 7, 12 + 5 * nth_late)
        elif nth_late % 2 == 1:
            status = Reported.BLOCKED
            problems = "征拆尚未全部完成，暂不具备挂牌条件，需建设管理部加快征拆扫尾。"
        else:
            problems = "材料已报市局，需市局加快审查。"
    elif (unit, code) in LATE_EXCEPTIONS:
        if july:
            status, done_on = Reported.DONE, LATE_EXCEPTIONS[(unit, code)]
    elif due is None:
        status = Reported.ONGOING
    elif due <= as_of:
        status, done_on = Reported.DONE, due - dt.timedelta(days=1 + _n(code) % 5)
    elif (due - as_of).days > 62:
        status = Reported.NOT_STARTED
    progress, next_steps = _texts(kind, status)
    if unit == MARKUP and code in MARKUP_TEXTS:
        progress = MARKUP_TEXTS[code]
    return MilestoneReport(code, status, done_on, progress, problems, next_steps)


def answers_for(plan: Plan, ws: Workspace, period: str) -> dict[str, Answer]:
    """Return every reporting unit's answers for `period`."""
    out: dict[str, Answer] = {}
    every = {u: rows for u, rows in all_unit_rows(plan, ws.config).items() if not rows.empty}
    for i, (unit, rows) in enumerate((u, r) for u, r in every.items() if u != SILENT):
        ans = Answer(unit)
        for fr in rows.figures:
            value = _figure(fr.key, fr.item.target_yi, period)
            typed = TYPED_FIGURES.get((period, fr.key)) if unit == TYPIST else None
            if typed is not None:
                ans.figures[fr.key] = (typed, value, "")
            elif fr.lead == unit:
                unchanged = period != PERIODS[0] and value == _figure(
                    fr.key, fr.item.target_yi, PERIODS[0])
                ans.figures[fr.key] = (value, value, "本月无新增。" if unchanged else "")
            else:
                ans.figures[fr.key] = (None, None, f"由{fr.lead}填报。")
        nth_late = 0
        for mr in rows.milestones:
            m = mr.milestone
            rep = _report(unit, m.code, m.kind, m.due, period, nth_late)
            if unit == LATE and m.due is not None and m.due <= period_end(PERIODS[0]):
                nth_late += 1
            ans.reports[m.code] = rep
            if unit == TYPIST and rep.completed_on:
                d = rep.completed_on
                ans.raw_dates[m.code] = TYPED_DATES[period].format(y=d.year, m=d.month, d=d.day)
        end = period_end(period)
        filled = end + dt.timedelta(days=1 + i % 4)
        person, phone = CONTACTS[i % len(CONTACTS)]
        ans.contact = {"填报人": person, "联系电话": phone,
                       "审核人（分管领导）": REVIEWERS[i % len(REVIEWERS)], "填报日期": filled}
        if unit == TYPIST:
            ans.raw_dates["填报日期"] = TYPED_DATES[period].format(
                y=filled.year, m=filled.month, d=filled.day)
        out[unit] = ans
    return out


def prefill_from(answers: dict[str, Answer], period: str) -> Prefill:
    """Return the pre-fill the ledger would give next month's forms from these answers."""
    pre = Prefill(period=period)
    for ans in answers.values():
        for key, (_raw, value, _note) in ans.figures.items():
            if value is not None:
                pre.figures.setdefault(key, value)
        pre.unit_reports[ans.unit] = dict(ans.reports)
        for code, rep in ans.reports.items():
            pre.reports.setdefault(code, rep)
    return pre


def _columns(ws: Any, headers: dict[str, str]) -> dict[str, int]:
    texts = [c.value for c in ws[fs.HEADER_ROW]]
    return {k: texts.index(h) + 1 for k, h in headers.items()}


def _rows_by_code(ws: Any) -> dict[str, int]:
    return {str(ws.cell(r, 1).value): r for r in range(fs.FIRST_DATA_ROW, ws.max_row + 1)
            if ws.cell(r, 1).value}


def fill(form: Path, ans: Answer, dest: Path, when: dt.datetime) -> Path:
    """Fill `form` with `ans` as the unit would and save it to `dest`."""
    from openpyxl import load_workbook

    wb = load_workbook(form)
    ws = wb[fs.SHEET_FIGURES]
    col = _columns(ws, fs.FIGURE_HEADERS)
    rows = _rows_by_code(ws)
    for key, (raw, _value, note) in ans.figures.items():
        ws.cell(rows[key], col["value"]).value = raw
        ws.cell(rows[key], col["note"]).value = note or None
    ws = wb[fs.SHEET_MILESTONES]
    col = _columns(ws, fs.MILESTONE_HEADERS)
    rows = _rows_by_code(ws)
    for code, rep in ans.reports.items():
        r = rows[code]
        ws.cell(r, col["status"]).value = REPORTED_LABEL[rep.status] if rep.status else None
        ws.cell(r, col["completed_on"]).value = ans.raw_dates.get(code, rep.completed_on)
        ws.cell(r, col["progress"]).value = rep.progress or None
        ws.cell(r, col["problems"]).value = rep.problems or None
        ws.cell(r, col["next_steps"]).value = rep.next_steps or None
    labels = {c.value: c for row in ws.iter_rows() for c in row if c.value in fs.FOOTER_LABELS}
    for label, value in ans.contact.items():
        cell = labels[label]
        ws.cell(cell.row, cell.column + 1).value = ans.raw_dates.get(label, value)
    return save_workbook(wb, dest, when)


def _to_xls(src: Path, dest: Path) -> bool:
    """Convert `src` to .xls at `dest` with LibreOffice; False when LibreOffice is missing."""
    binary = shutil.which("soffice") or shutil.which("libreoffice")
    if not binary:
        return False
    with tempfile.TemporaryDirectory(prefix="reportgen-samples-") as tmp:
        profile = Path(tmp) / "profile"
        subprocess.run([binary, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                        "--convert-to", "xls:MS Excel 97", "--outdir", tmp, str(src)],
                       check=True, capture_output=True, timeout=180)
        shutil.copyfile(Path(tmp) / (src.stem + ".xls"), dest)
    return True


def _json_value(v: Any) -> Any:
    return v.isoformat() if isinstance(v, dt.date) else v


def _record(ans: Answer, unit_file: str) -> dict[str, Any]:
    return {
        "unit": ans.unit,
        "file": unit_file,
        "figures": {k: {"raw": _json_value(raw), "value_yi": value, "note": note}
                    for k, (raw, value, note) in ans.figures.items()},
        "milestones": {
            code: {
                "status": rep.status.value if rep.status else None,
                "status_text": REPORTED_LABEL[rep.status] if rep.status else None,
                "completed_on": _json_value(rep.completed_on),
                "completed_on_raw": ans.raw_dates.get(code),
                "progress": rep.progress, "problems": rep.problems,
                "next_steps": rep.next_steps,
            } for code, rep in ans.reports.items()},
        "contact": {k: _json_value(v) for k, v in ans.contact.items()},
        "contact_raw": {k: v for k, v in ans.raw_dates.items() if k in fs.FOOTER_LABELS},
    }


def main(argv: list[str] | None = None) -> int:
    """Write the samples and expected.json; return the exit code."""
    parser = argparse.ArgumentParser(description="生成示例工作区的样例报送文件")
    parser.add_argument("--out", type=Path, default=ROOT / "input" / "submissions",
                        help="输出目录（默认 input/submissions）")
    args = parser.parse_args(argv)
    ws = open_workspace(ROOT)
    plan = load_plan(ws.master_workbook(), ws.config)
    base: Path = args.out
    expected_path = base / EXPECTED
    old = json.loads(expected_path.read_text("utf-8")) if expected_path.exists() else {}
    expected: dict[str, Any] = {
        "_about": "由 tools/make_samples.py 生成：各样例文件中写入的值（raw 为单元格原样，"
                  "value_yi/completed_on 为应读出的值）。",
        "plan_version": plan.version, "periods": {}}
    prefill: Prefill | None = None
    for period in PERIODS:
        folder = base / period
        folder.mkdir(parents=True, exist_ok=True)
        keep_xls = {p.name: p.read_bytes() for p in folder.glob("*.xls")}
        for p in [*folder.glob("*.xlsx"), *folder.glob("*.xls")]:
            p.unlink()
        end = period_end(period)
        generated = dt.datetime(end.year, end.month, end.day, 9, 0) + dt.timedelta(days=1)
        answers = answers_for(plan, ws, period)
        files: dict[str, Any] = {}
        with tempfile.TemporaryDirectory(prefix="reportgen-forms-") as tmp:
            forms = build_forms(plan, ws.config, period, Path(tmp), prefill,
                                generated_at=generated)
            by_unit = {unit: p for unit, p in zip(form_units(plan, ws.config), forms, strict=True)}
            for i, (unit, ans) in enumerate(answers.items()):
                stem = RENAMED.get((period, unit), by_unit[unit].stem)
                when = dt.datetime.combine(ans.contact["填报日期"], dt.time(9 + i % 8, 7 * i % 60))
                dest = fill(by_unit[unit], ans, folder / f"{stem}.xlsx", when)
                if (period, unit) in AS_XLS:
                    digest = hashlib.sha256(dest.read_bytes()).hexdigest()
                    xls = dest.with_suffix(".xls")
                    prior = old.get("periods", {}).get(period, {}).get("xls_sources", {})
                    if prior.get(xls.name) == digest and xls.name in keep_xls:
                        xls.write_bytes(keep_xls[xls.name])
                    elif not _to_xls(dest, xls):
                        print(f"未找到 LibreOffice，跳过 {xls.name}（该单位本月按未报送处理）")
                        dest.unlink()
                        continue
                    dest.unlink()
                    expected["periods"].setdefault(period, {}).setdefault(
                        "xls_sources", {})[xls.name] = digest
                    dest = xls
                files[dest.name] = _record(ans, dest.name)
        missing = [u for u in form_units(plan, ws.config) if u not in {f["unit"] for f in files.values()}]
        expected["periods"].setdefault(period, {}).update(
            {"files": files, "missing_units": missing})
        print(f"{period}：{len(files)} 个文件，未报送 {'、'.join(missing) or '无'}")
        prefill = prefill_from(answers, period)
    expected_path.write_text(json.dumps(expected, ensure_ascii=False, indent=1, sort_keys=True)
                             + "\n", encoding="utf-8")
    print(f"已写出 {expected_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
