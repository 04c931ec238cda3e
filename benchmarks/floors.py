"""The tight floors: the same work done by the bare libraries, one process, one core.

    python3 -m benchmarks.floors prepare ROOT           # once per city: the documents' data
    python3 -m benchmarks.floors run ROOT               # floors of `reportgen run`
    python3 -m benchmarks.floors check ROOT             # floors of `reportgen check`
    python3 -m benchmarks.floors import DOC WORKBOOK    # floors of `reportgen plan import`

Each prints one JSON line: floor name -> [wall seconds, CPU seconds]. Only the work itself is
timed; loading the inputs the floor needs (the contexts, the cells to write) is not. What a
floor is:

- 读取: every sheet a command reads, of every file, read with python-calamine (`to_python`):
  the submissions (all but the forms' 填报说明, which no command reads) and the master workbook;
- 公文: the same documents from the same templates and contexts with docxtpl alone, each
  template's XML compiled once (a `jinja_env` that keeps compiled templates, as docxtpl allows),
  the bulletin with the same chart image;
- 表格: the cells of every spreadsheet the command wrote (values and styles, column widths, row
  heights) written with openpyxl alone (benchmarks/bench_excel.py's `floor`), one floor per kind: 校验报告
  (with the 校验反馈), 汇总表, and for `run` the 督办回复单 (one workbook per 督办通知, each a
  fresh openpyxl workbook saved on its own, as the run writes them);
- summary.json: the same data written with `json.dumps` (no indentation);
- 文档: the task-breakdown document opened with python-docx and every paragraph's text read.

Interpreter start and library imports are a floor of their own, measured by run_bench.py.
"""

from __future__ import annotations

import io
import json
import pickle
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks.bench_excel import cells_of, write_cells
from benchmarks.city import PERIOD
from reportgen.formspec import SHEET_GUIDE

JOBS = ".floor-jobs.pickle"
# the libraries each command's floor needs: importing them is the start-up floor
IMPORTS = {
    "run": "import json, python_calamine, openpyxl, docxtpl",
    "check": "import python_calamine, openpyxl",
    "import": "import docx, openpyxl",
}


class Clock:
    """Wall and CPU seconds of named pieces of work."""

    def __init__(self) -> None:
        self.times: dict[str, list[float]] = {}

    @contextmanager
    def time(self, name: str) -> Iterator[None]:
        wall, cpu = time.perf_counter(), time.process_time()
        yield
        got = self.times.setdefault(name, [0.0, 0.0])
        got[0] += time.perf_counter() - wall
        got[1] += time.process_time() - cpu


# ---------------------------------------------------------------- the pieces


def read_calamine(paths: list[Path], clock: Clock, name: str = "读取") -> None:
    """Read every sheet of `paths` that a command reads, with python-calamine."""
    from python_calamine import CalamineWorkbook

    with clock.time(name):
        for p in paths:
            wb = CalamineWorkbook.from_path(str(p))
            for sheet in wb.sheet_names:
                if sheet != SHEET_GUIDE:
                    wb.get_sheet_by_name(sheet).to_python()


def write_xlsx(paths: list[Path], out: Path, clock: Clock, name: str) -> None:
    """Write the cells of each workbook in `paths` with openpyxl alone (loading is not timed)."""
    from openpyxl import load_workbook

    out.mkdir(parents=True, exist_ok=True)
    for n, path in enumerate(paths):
        prepared = cells_of(load_workbook(path))
        with clock.time(name):
            write_cells(prepared, out / f"{n}.xlsx")


def compiled_env() -> Any:
    """A Jinja environment that compiles each distinct template source once."""
    from jinja2 import Environment

    class Compiled(Environment):
        def __init__(self) -> None:
            super().__init__(autoescape=True)
            self.compiled: dict[str, Any] = {}

        def from_string(self, source: Any, globals: Any = None,
                        template_class: Any = None) -> Any:
            found = self.compiled.get(source)
            if found is None:
                found = self.compiled[source] = super().from_string(source)
            return found

    return Compiled()


def render_docx(jobs: dict[str, Any], out: Path, clock: Clock) -> None:
    """Render every document of `jobs` with docxtpl alone, templates compiled once."""
    from docx.shared import Mm
    from docxtpl import DocxTemplate, InlineImage

    out.mkdir(parents=True, exist_ok=True)
    templates: dict[str, bytes] = jobs["templates"]
    with clock.time("公文"):
        env = compiled_env()
        for n, (name, ctx) in enumerate(jobs["documents"]):
            tpl = DocxTemplate(io.BytesIO(templates[name]))
            if n == 0 and jobs["chart"] is not None:  # the bulletin
                ctx = {**ctx, "chart": InlineImage(tpl, io.BytesIO(jobs["chart"]), width=Mm(150))}
            tpl.render(ctx, jinja_env=env, autoescape=True)
            tpl.save(str(out / f"{n}.docx"))


def write_json(path: Path, out: Path, clock: Clock) -> None:
    """Write the data of `path` (a summary.json) with json alone."""
    data = json.loads(path.read_text(encoding="utf-8"))
    with clock.time("summary.json"):
        out.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def read_document(path: Path, clock: Clock) -> None:
    """Open a .docx with python-docx and read every paragraph's and table cell's text."""
    from docx import Document

    with clock.time("文档"):
        doc = Document(str(path))
        [p.text for p in doc.paragraphs]
        [c.text for t in doc.tables for row in t.rows for c in row.cells]


# ---------------------------------------------------------------- per command


def prepare(root: Path) -> Path:
    """Run the period once in `root` and keep what the Word floor renders; return the file."""
    from reportgen.pipeline import run_period
    from reportgen.render.chart import completion_chart
    from reportgen.render.word import BULLETIN, NOTICES, bulletin_context, notice_contexts
    from reportgen.workspace import open_workspace

    ws = open_workspace(root)
    result = run_period(ws, PERIOD).result
    documents: list[tuple[str, Any]] = [(BULLETIN, bulletin_context(result, ws.config))]
    for kind, contexts in notice_contexts(result, ws.config).items():
        documents += [(NOTICES[kind], ctx) for ctx in contexts]
    names = {name for name, _ in documents}
    jobs = {
        "templates": {name: ws.template(name).read_bytes() for name in names},
        "documents": documents,
        "chart": completion_chart(result).png,
    }
    path = root / JOBS
    path.write_bytes(pickle.dumps(jobs))
    return path


def _submissions(root: Path) -> list[Path]:
    folder = root / "input" / "submissions" / PERIOD
    return sorted(p for p in folder.iterdir() if p.is_file())


def _master(root: Path) -> list[Path]:
    return sorted((root / "input" / "plan").glob("*.xlsx"))


def floors_run(root: Path, clock: Clock) -> None:
    """The floors of `reportgen run` in `root` (its outputs must be there)."""
    out = root / "output" / PERIOD
    jobs = pickle.loads((root / JOBS).read_bytes())
    checks = [out / "校验报告.xlsx", *sorted((out / "校验反馈").glob("*.xlsx"))]
    with tempfile.TemporaryDirectory(prefix="reportgen-floor-") as tmp:
        read_calamine(_submissions(root) + _master(root), clock)
        render_docx(jobs, Path(tmp) / "word", clock)
        write_xlsx(checks, Path(tmp) / "check", clock, "校验报告")
        write_json(out / "summary.json", Path(tmp) / "summary.json", clock)
        write_xlsx([out / "汇总表.xlsx"], Path(tmp) / "summary", clock, "汇总表")
        write_xlsx(sorted((out / "督办回复单").glob("*.xlsx")), Path(tmp) / "duban", clock, "督办回复单")


def floors_check(root: Path, clock: Clock) -> None:
    """The floors of `reportgen check` in `root` (its outputs must be there)."""
    out = root / "output" / PERIOD
    checks = [out / "校验报告.xlsx", *sorted((out / "校验反馈").glob("*.xlsx"))]
    with tempfile.TemporaryDirectory(prefix="reportgen-floor-") as tmp:
        read_calamine(_submissions(root) + _master(root), clock)
        write_xlsx(checks, Path(tmp) / "check", clock, "校验报告")


def floors_import(doc: Path, workbook: Path, clock: Clock) -> None:
    """The floors of `reportgen plan import DOC` that wrote `workbook`."""
    with tempfile.TemporaryDirectory(prefix="reportgen-floor-") as tmp:
        read_document(doc, clock)
        write_xlsx([workbook], Path(tmp), clock, "总表")


def main(argv: list[str]) -> int:
    """Measure one command's floors and print them as JSON; return the exit code."""
    kind, *args = argv
    if kind == "prepare":
        print(prepare(Path(args[0])))
        return 0
    clock = Clock()
    if kind == "run":
        floors_run(Path(args[0]), clock)
    elif kind == "check":
        floors_check(Path(args[0]), clock)
    elif kind == "import":
        floors_import(Path(args[0]), Path(args[1]), clock)
    else:
        raise SystemExit(f"unknown floor: {kind}")
    print(json.dumps(clock.times, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
