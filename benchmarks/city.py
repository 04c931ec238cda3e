"""Make a synthetic city-sized workspace the way the office makes a real one.

    python3 -m benchmarks.city [--units 300] [--items 3000] [--milestones 12000] [--seed 1]

The workspace goes to `benchmarks/_work/city-<units>-<items>-<milestones>-s<seed>/` (git-ignored)
and is reused while the generator and the form layout have not changed (a stamp file holds
the hash of both; `--force` makes it again). It is made as a user makes one, for period 2024-06:

1. a task-breakdown **document** (`任务分解.docx`) is written: sections, items numbered
   （一）…（一千二百）, targets, numbered tasks with dated clauses and （责任单位：…）;
2. `reportgen plan import 任务分解.docx` reads it into the master workbook;
3. `reportgen forms --period 2024-06` writes one form per unit;
4. every form is filled by code as a clerk fills it (openpyxl, the form's own cells) and put in
   `input/submissions/2024-06/`: most units on time; about 5 % silent; some typing numbers and
   dates as text (`1.2亿`, `１．５`, `3500万元`, `2024.6.15`, `6月15日`); a few filing after the
   deadline; milestones done late or overdue, blocked ones with problems written; `&` and `<`
   in texts; a few renamed files, one unit or two sending an earlier draft as well.

`check` and `run` are then the benchmark's to time (benchmarks/run_bench.py).
Deterministic: the same arguments give the same document and the same answers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import random
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

from reportgen.cn import cn_numeral  # noqa: E402
from reportgen.model import REPORTED_LABEL, Plan, Reported, period_end  # noqa: E402

PERIOD = "2024-06"
YEAR = 2024
WORK = ROOT / "benchmarks" / "_work"
DOCUMENT = "任务分解.docx"

DISTRICTS = ["平城区", "云冈区", "新荣区", "云州区", "阳高县", "天镇县", "广灵县", "灵丘县",
             "浑源县", "左云县", "经开区", "综改区", "高新区", "文瀛湖区", "御东新区", "古城区",
             "口泉区", "西韩岭", "马军营", "水泊寺"]
DEPARTMENTS = ["发展和改革局", "住房和城乡建设局", "自然资源局", "生态环境局", "交通运输局",
               "工业和信息化局", "商务局", "农业农村局", "水务局", "文化和旅游局", "财政局",
               "行政审批服务管理局", "应急管理局", "市场监督管理局", "统计局", "城市管理局",
               "教育局", "卫生健康委员会", "科学技术局", "能源局", "招商服务中心",
               "投资促进中心", "城投公司", "产业园区管委会", "国有资产管理中心"]
PROJECT_KINDS = ["新能源装备制造基地", "数据中心", "物流园", "污水处理厂提标改造", "城市更新片区",
                 "新材料产业园", "医药研发中心", "综合交通枢纽", "保障性住房", "文旅综合体",
                 "氢能产业园", "智能制造工厂", "冷链仓储中心", "光伏发电", "储能电站"]
TASK_KINDS = ["营商环境优化", "招商引资攻坚", "项目谋划储备", "要素保障", "统计入库"]
STEPS = ["完成立项备案", "取得建设用地规划许可证", "完成土地摘牌", "取得施工许可证", "开工建设",
         "主体结构封顶", "完成设备安装调试", "竣工验收", "完成环评批复", "完成能评审查"]
OTHER_TEXTS = ["完成招商洽谈并签订投资协议", "组织专题推进会", "完成可行性研究报告编制",
               "完成年度目标任务分解", "建立项目推进台账"]


@dataclass
class Size:
    """How big the city is."""

    units: int = 300
    items: int = 3000
    milestones: int = 12000
    seed: int = 1

    @property
    def name(self) -> str:
        """Return the folder name of this size's workspace."""
        return f"city-{self.units}-{self.items}-{self.milestones}-s{self.seed}"


def unit_names(n: int) -> list[str]:
    """Return `n` distinct unit names (district × department, numbered beyond that)."""
    names = [d + p for p in DEPARTMENTS for d in DISTRICTS]
    if n > len(names):
        names += [f"第{cn_numeral(i)}专项工作组" for i in range(1, n - len(names) + 1)]
    return names[:n]


# ---------------------------------------------------------------- the document


def _due_text(rng: random.Random) -> str:
    month = rng.choice([3, 4, 5, 6, 6, 7, 7, 8, 9, 10, 11, 12])
    form = rng.random()
    if form < 0.5:
        return f"{month}月底前"
    if form < 0.75:
        return f"{month}月中旬"
    return f"{month}月{rng.randint(1, period_end(f'{YEAR}-{month:02d}').day)}日前"


def _clause(rng: random.Random, first_of_project: bool, second_of_project: bool,
            target: float | None) -> str:
    """Return one dated requirement (one milestone) of a task."""
    due = _due_text(rng)
    if first_of_project and target:
        return f"{due}完成投资{round(target * rng.choice([0.3, 0.4, 0.5]), 2)}亿元"
    if second_of_project and target and rng.random() < 0.2:
        return f"{due}累计开具设备发票{round(target * 0.2, 2)}亿元"
    r = rng.random()
    if r < 0.15:
        return f"{due}完成项目入统入库"
    if r < 0.8:
        return f"{due}{rng.choice(STEPS)}"
    return f"{due}{rng.choice(OTHER_TEXTS)}"


def _spread(total: int, parts: int) -> list[int]:
    sizes = [total // parts] * parts
    for k in range(total - sum(sizes)):
        sizes[k] += 1
    return sizes


def plan_lines(size: Size) -> list[str]:
    """Return the paragraphs of the task-breakdown document for `size`.

    Every unit leads at least one task (leads taken in turn, supporters at random); each
    clause carries one date, so the document has exactly `size.milestones` milestones.
    """
    rng = random.Random(size.seed)
    units = unit_names(size.units)
    lead_cycle = 0
    n_projects = size.items * 4 // 5
    per_item = _spread(size.milestones, size.items)
    lines = ["附件2", "", f"{YEAR}年全市重点项目推进任务分解", "（动态调整）", "",
             "一、重点项目推进任务分解"]
    for i in range(size.items):
        project = i < n_projects
        if i == n_projects:
            lines.append("二、其它重点任务")
        no = i + 1 if project else i + 1 - n_projects
        district = DISTRICTS[i % len(DISTRICTS)]
        target: float | None = None
        if project:
            name = f"{district}{rng.choice(PROJECT_KINDS)}项目（{no}期）"
            target = round(rng.uniform(0.2, 12.0), 2)
            head = f"（{cn_numeral(no)}）{name}，{YEAR}年工业投资任务{target}亿元以上。"
        else:
            name = f"{district}{rng.choice(TASK_KINDS)}专项行动（{no}）"
            head = f"（{cn_numeral(no)}）{name}，按年度目标推进。"
        n_ms = per_item[i]
        n_tasks = max(1, min(n_ms, rng.choice([1, 2, 2, 3])))
        tasks: list[str] = []
        for t_no, n_clauses in enumerate(_spread(n_ms, n_tasks), start=1):
            lead = units[lead_cycle % len(units)]
            lead_cycle += 1
            support = rng.sample([u for u in units if u != lead], k=rng.choice([0, 1, 1, 2]))
            clauses = [_clause(rng, project and t_no == 1 and j == 0,
                               project and t_no == 1 and j == 1, target)
                       for j in range(n_clauses)]
            tasks.append(f"{'，'.join(clauses)}。（责任单位：{'、'.join([lead, *support])}）")
        if n_tasks == 1:
            lines.append(head + tasks[0])
        else:
            lines.append(head)
            lines += [f"{t_no}.{text}" for t_no, text in enumerate(tasks, start=1)]
    return lines


def write_document(lines: list[str], path: Path) -> Path:
    """Write `lines` as the paragraphs of a Word document at `path`; return `path`."""
    from docx import Document

    doc = Document()
    for line in lines:
        doc.add_paragraph(line)
    doc.save(str(path))
    return path


# ---------------------------------------------------------------- answers


@dataclass
class Answer:
    """What one unit writes in its form, cell values as typed."""

    unit: str
    figures: dict[str, tuple[Any, str]] = field(default_factory=dict)  # key -> (value, note)
    rows: dict[str, tuple[Any, ...]] = field(default_factory=dict)  # code -> status..next_steps
    contact: dict[str, Any] = field(default_factory=dict)
    file_stem: str = ""
    filed: dt.datetime = dt.datetime(YEAR, 7, 2, 17, 0)
    older_copy: bool = False  # also send an older file (the newer wins)


def _typed_amount(value: float, rng: random.Random) -> Any:
    r = rng.random()
    if r < 0.3:
        return f"{value}亿"
    if r < 0.6:
        return str(value).translate(str.maketrans("0123456789.", "０１２３４５６７８９．"))
    if r < 0.8:
        return f"{round(value * 10000)}万元"
    return str(value)


def _typed_date(d: dt.date, rng: random.Random) -> str:
    return rng.choice([f"{d.year}.{d.month}.{d.day}", f"{d.month}月{d.day}日",
                       f"{d.year}年{d.month}月{d.day}日"])


def _row_answer(m: Any, unit_rng: random.Random, seed: int, laggard: bool,
                typist: bool, markup: bool) -> tuple[Any, ...]:
    """Return (status, completed on, progress, problems, next steps) for milestone `m`."""
    as_of = period_end(PERIOD)
    due = m.due or as_of
    problems = ""
    done_on: Any = None
    # the facts of a milestone are the same whoever reports them (units sharing it agree),
    # except for a laggard, which reports its own slips
    fact = random.Random(f"{seed}/{m.code}")
    if due <= as_of:
        if laggard and unit_rng.random() < 0.5:
            status = unit_rng.choice([Reported.ONGOING, Reported.BLOCKED])
            problems = "征拆扫尾未完成，需属地政府协调推进。" if status is Reported.BLOCKED else ""
        else:
            late = fact.random() < 0.1
            shift = fact.randint(1, 9) if late else -fact.randint(0, 9)
            done_on = min(due + dt.timedelta(days=shift), as_of)
            status = Reported.DONE
    elif (due - as_of).days > 62:
        status = Reported.NOT_STARTED
    else:
        status = Reported.ONGOING
    if done_on is not None and typist:
        done_on = _typed_date(done_on, unit_rng)
    progress = {"done": "已按要求完成。", "ongoing": "相关手续正在办理中。",
                "not_started": "尚未启动，前期对接中。", "blocked": "推进受阻。"}[status.value]
    if markup and unit_rng.random() < 0.3:
        progress = "签约率<30%，R&D中心方案已报审&待批复。"
    next_steps = "" if status is Reported.DONE else "加快推进，确保按期完成。"
    return (REPORTED_LABEL[status], done_on, progress, problems or None, next_steps or None)


def answers(plan: Plan, size: Size) -> list[Answer]:
    """Return what each reporting unit writes (about 5% of units do not report)."""
    from reportgen.config import Config
    from reportgen.forms import all_unit_rows

    rng = random.Random(size.seed * 7919)
    end = period_end(PERIOD)
    out: list[Answer] = []
    for i, (unit, rows) in enumerate(all_unit_rows(plan, Config()).items()):
        if rows.empty or rng.random() < 0.05:
            continue  # silent unit
        typist = rng.random() < 0.1
        laggard = rng.random() < 0.15
        markup = rng.random() < 0.05
        ans = Answer(unit, file_stem=unit)
        if rng.random() < 0.05:
            ans.file_stem = f"{unit}{YEAR}年6月份报送表（已审核）"
        ans.older_copy = rng.random() < 0.02
        # most file within two days of the month's end; a few after the reporting deadline
        late_days = 12 if rng.random() < 0.04 else 0
        ans.filed = dt.datetime(end.year, end.month, end.day, 17, 0) + dt.timedelta(
            days=1 + i % 4 + late_days)
        for fr in rows.figures:
            if fr.lead != unit:
                ans.figures[fr.key] = (None, f"由{fr.lead}填报。")
                continue
            value = round((fr.item.target_yi or 1.0) * rng.uniform(0.1, 0.8), 2)
            ans.figures[fr.key] = (_typed_amount(value, rng) if typist else value, "")
        for mr in rows.milestones:
            ans.rows[mr.milestone.code] = _row_answer(mr.milestone, rng, size.seed, laggard,
                                                      typist, markup)
        filled = ans.filed.date()
        ans.contact = {"填报人": f"联络员{i:03d}", "联系电话": f"1390352{i:04d}",
                       "审核人（分管领导）": f"分管领导{i % 37:02d}",
                       "填报日期": _typed_date(filled, rng) if typist else filled}
        out.append(ans)
    return out


# ---------------------------------------------------------------- filling the forms


def _columns(ws: Any, headers: dict[str, str]) -> dict[str, int]:
    from reportgen import formspec as fs

    texts = [c.value for c in ws[fs.HEADER_ROW]]
    return {k: texts.index(h) + 1 for k, h in headers.items()}


def fill_form(job: tuple[Answer, str, str]) -> list[str]:
    """Fill the blank form `blank` with `ans` and save it into `folder`; return the file names."""
    from openpyxl import load_workbook

    from reportgen import formspec as fs
    from reportgen.forms import save_workbook

    ans, blank, folder = job
    wb = load_workbook(blank)
    ws = wb[fs.SHEET_FIGURES]
    col = _columns(ws, fs.FIGURE_HEADERS)
    rows = {str(ws.cell(r, 1).value): r for r in range(fs.FIRST_DATA_ROW, ws.max_row + 1)}
    for key, (value, note) in ans.figures.items():
        ws.cell(rows[key], col["value"]).value = value
        ws.cell(rows[key], col["note"]).value = note or None
    ws = wb[fs.SHEET_MILESTONES]
    col = _columns(ws, fs.MILESTONE_HEADERS)
    rows = {str(ws.cell(r, 1).value): r for r in range(fs.FIRST_DATA_ROW, ws.max_row + 1)}
    keys = ("status", "completed_on", "progress", "problems", "next_steps")
    for code, values in ans.rows.items():
        for key, value in zip(keys, values, strict=True):
            ws.cell(rows[code], col[key]).value = value
    labels = {c.value: c for row in ws.iter_rows() for c in row if c.value in fs.FOOTER_LABELS}
    for label, value in ans.contact.items():
        cell = labels[label]
        ws.cell(cell.row, cell.column + 1).value = value
    names = [f"{ans.file_stem}.xlsx"]
    copies = [ans.filed]
    if ans.older_copy:  # an earlier draft, sent the day before: the newer wins, this is reported
        names.append(f"{ans.file_stem}（初稿）.xlsx")
        copies.append(ans.filed - dt.timedelta(days=1))
    for name, when in zip(names, copies, strict=True):
        save_workbook(wb, Path(folder) / name, when)
        os.utime(Path(folder) / name, (when.timestamp(), when.timestamp()))
    return names


# ---------------------------------------------------------------- the workspace


def reportgen(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `reportgen ARGS -w ROOT` as a user does (this Python); return the finished process."""
    cmd = [sys.executable, "-m", "reportgen", *args, "-w", str(root)]
    return subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=root)


def _stamp(size: Size) -> str:
    """Return a hash of what decides the city: this generator and the form layout.

    A change to the importer or the forms' looks does not remake it (the city stays a
    consistent workspace); `--force` does.
    """
    h = hashlib.sha256()
    for mod in (Path(__file__), ROOT / "reportgen" / "formspec.py"):
        h.update(mod.read_bytes())
    h.update(size.name.encode())
    return h.hexdigest()[:16]


CONFIG_TEXT = """# 合成的全市规模工作区（benchmarks/city.py 生成）
[office]
org_name = "某市人民政府"
issuer = "某市重点项目督查督办办公室"
issuer_mark = "某市重点项目督查督办办公室文件"
short_name = "市督查办"
doc_prefix = "市督办"
signature = "某市重点项目督查督办办公室"
printer = "某市重点项目督查督办办公室"

[notices]
supervision_prefix = "市督字"
reminder_prefix = "市督函"
chase_prefix = "市督函"
"""


def _step(root: Path, *args: str) -> None:
    proc = reportgen(root, *args)
    if proc.returncode != 0:
        raise RuntimeError(f"reportgen {' '.join(args)} 失败（{proc.returncode}）：{proc.stderr}")


def make_city(size: Size, root: Path | None = None, workers: int | None = None,
              force: bool = False) -> Path:
    """Write (or reuse) the synthetic city's workspace for `size` and return its folder."""
    from reportgen.config import Config
    from reportgen.forms import FORMS_DIRNAME
    from reportgen.fsutil import safe_filename
    from reportgen.plan.workbook import load_plan
    from reportgen.workspace import open_workspace

    root = root or WORK / size.name
    stamp_file = root / ".city-stamp"
    stamp = _stamp(size)
    if not force and stamp_file.exists() and stamp_file.read_text() == stamp:
        return root
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    (root / "reportgen.toml").write_text(CONFIG_TEXT, encoding="utf-8")
    write_document(plan_lines(size), root / DOCUMENT)
    _step(root, "plan", "import", str(root / DOCUMENT))
    _step(root, "forms", "--period", PERIOD)
    ws = open_workspace(root)
    plan = load_plan(ws.master_workbook(), Config())
    blanks = ws.output_dir(PERIOD) / FORMS_DIRNAME
    folder = ws.submissions_dir(PERIOD)
    folder.mkdir(parents=True)
    jobs = [(ans, str(blanks / f"{safe_filename(ans.unit)}.xlsx"), str(folder))
            for ans in answers(plan, size)]
    with ProcessPoolExecutor(workers or min(2, os.cpu_count() or 1)) as pool:
        list(pool.map(fill_form, jobs, chunksize=4))
    stamp_file.write_text(stamp)
    return root


def main(argv: list[str] | None = None) -> int:
    """Write the city workspace and print where it is; return the exit code."""
    parser = argparse.ArgumentParser(description="生成合成的全市规模工作区（基准测试用）")
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--items", type=int, default=3000)
    parser.add_argument("--milestones", type=int, default=12000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--force", action="store_true", help="重新生成，即使已有")
    args = parser.parse_args(argv)
    size = Size(args.units, args.items, args.milestones, args.seed)
    start = time.perf_counter()
    root = make_city(size, force=args.force)
    files = len(list((root / "input" / "submissions" / PERIOD).glob("*.xlsx")))
    print(f"{root}：{files} 个报送文件（{time.perf_counter() - start:.1f} 秒）")
    return 0


if __name__ == "__main__":
    sys.exit(main())
