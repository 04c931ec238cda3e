"""Plan files in a workspace: read any plan file, import a document into the master workbook,
compare two plan files.

The three plan modules below this one each do one job — `importer` reads documents,
`workbook` reads and writes the master workbook, `diff` compares two plans — and none
imports another; this module puts them together.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from reportgen.config import Config
from reportgen.errors import PlanError
from reportgen.fsutil import safe_filename
from reportgen.model import Plan
from reportgen.plan.diff import PlanDiff, diff_plans, keep_codes
from reportgen.plan.edits import Edit, carry_edits, find_edits
from reportgen.plan.importer import import_document
from reportgen.plan.master_writer import write_plan_workbook
from reportgen.plan.workbook import is_master_workbook, load_imported, load_plan

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def read_plan(path: Path, config: Config) -> Plan:
    """Return the plan in a master workbook (.xlsx) or a task-breakdown document."""
    if path.suffix.lower() in WORKBOOK_SUFFIXES and is_master_workbook(path):
        return load_plan(path, config)
    return import_document(path, config).plan


def compare_files(old: Path, new: Path, config: Config) -> PlanDiff:
    """Return the diff between two plans, each a master workbook (.xlsx) or a document."""
    before = read_plan(old, config)
    return diff_plans(before, keep_codes(before, read_plan(new, config)))


@dataclass
class WorkspaceImport:
    """What `import_into` did: the master workbook written, and how it differs from before."""

    path: Path
    plan: Plan
    warnings: list[str]
    previous: Plan | None = None  # the plan of the master workbook it replaced
    backup: Path | None = None
    diff: PlanDiff | None = None
    # staff's edits to the replaced workbook: kept, or overwritten by the new document
    kept_edits: list[Edit] = field(default_factory=list)
    dropped_edits: list[Edit] = field(default_factory=list)
    edits_known: bool = True  # False: the replaced workbook did not record its import
    edits_discarded: bool = False  # the user asked to drop them (plan import --discard-edits)

    def edit_lines(self) -> list[str]:
        """Return, in Chinese, what became of the staff's edits ([] when there were none)."""
        if not self.edits_known:
            return ["原总表由早期版本生成，无法区分其中的人工修改；新总表完全按新文件生成，"
                    "如原表有人工修改，请对照备份核对。"]
        out: list[str] = []
        if self.kept_edits:
            out.append(f"原总表中的人工修改已保留（{len(self.kept_edits)} 处）：")
            out += [f"  {edit.describe()}" for edit in self.kept_edits]
        if self.dropped_edits:
            n = len(self.dropped_edits)
            out.append(f"原总表中的人工修改未保留（--discard-edits，{n} 处），如需保留请对照备份补改："
                       if self.edits_discarded else
                       f"以下人工修改所涉内容新文件也作了调整，已按新文件覆盖（{n} 处），如需保留请对照备份补改：")
            out += [f"  {edit.describe()}" for edit in self.dropped_edits]
        return out


def _codes(plan: Plan) -> set[str]:
    return {c for it in plan.items for c in [it.code, *(m.code for m in it.milestones)]}


def _backup(old_path: Path, plan_dir: Path) -> Path:
    backup_dir = plan_dir / "备份"
    backup_dir.mkdir(exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    backup = backup_dir / f"{old_path.stem}_{stamp}.xlsx"
    shutil.copy2(old_path, backup)
    return backup


def import_into(doc: Path, plan_dir: Path, config: Config, keep_edits: bool = True,
                recorded: Collection[str] = ()) -> WorkspaceImport:
    """Import `doc` into the master workbook in `plan_dir`, keeping existing codes and (unless
    `keep_edits` is False) the staff's edits the new document does not touch; return what was
    written (an existing workbook is backed up to 备份/ first). Codes in `recorded` (those the
    ledger holds a history of) are never given to a new item or node: a node an earlier revision
    deleted is not another node's past."""
    result = import_document(doc, config)
    existing = sorted(p for p in plan_dir.glob("*.xlsx") if not p.name.startswith(("~$", ".~")))
    if len(existing) > 1:
        names = "、".join(p.name for p in existing)
        raise PlanError(f"{plan_dir} 下有多个总表（{names}），请只保留一个后再导入")
    target = plan_dir / f"{safe_filename(result.plan.title)}.xlsx"
    if not existing:
        write_plan_workbook(result.plan, target, notes=result.source_notes)
        return WorkspaceImport(target, result.plan, result.warnings)
    old_path = existing[0]
    try:
        old = load_plan(old_path, config)
    except PlanError as exc:
        raise PlanError(f"现有总表 {old_path.name} 无法读取，未导入：{exc}。"
                        "请先修正，或把它移出 input/plan/ 后重新导入") from exc
    imported = load_imported(old_path)
    fresh = keep_codes(imported or old, result.plan, reserved=_codes(old) | set(recorded))
    edits = find_edits(imported, old) if imported else []
    plan, kept, dropped = fresh, [], edits
    if edits and keep_edits and imported:
        carried = carry_edits(edits, imported, old, fresh)
        plan, kept, dropped = carried.plan, carried.kept, carried.overwritten
    backup = _backup(old_path, plan_dir)
    write_plan_workbook(plan, target, imported=fresh, notes=result.source_notes)
    if target != old_path:
        old_path.unlink()
    return WorkspaceImport(target, plan, result.warnings, old, backup, diff_plans(old, plan),
                           kept, dropped, imported is not None, not keep_edits)
