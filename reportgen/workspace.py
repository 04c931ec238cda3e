"""Find and lay out a workspace: its folders, its configuration and its templates."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from reportgen.config import CONFIG_NAME, Config, load_config
from reportgen.errors import WorkspaceError
from reportgen.loader import TemplateDirs, default_templates, user_first
from reportgen.template_versions import remember


@dataclass
class Workspace:
    """A folder holding templates/, input/, output/, history/ and reportgen.toml."""

    root: Path
    config: Config

    @property
    def plan_dir(self) -> Path:
        """Return input/plan/, where the master workbook lives."""
        return self.root / "input" / "plan"

    def submissions_dir(self, period: str) -> Path:
        """Return input/submissions/<period>/."""
        return self.root / "input" / "submissions" / period

    @property
    def replies_dir(self) -> Path:
        """Return input/replies/: the 督办回复单 units send back (any sub-folders)."""
        return self.root / "input" / "replies"

    def output_dir(self, period: str) -> Path:
        """Return output/<period>/ (not created)."""
        return self.root / "output" / period

    @property
    def history_dir(self) -> Path:
        """Return history/, which holds the ledger and the archive of received files."""
        return self.root / "history"

    @property
    def ledger_path(self) -> Path:
        """Return the path of the SQLite ledger."""
        return self.history_dir / "ledger.sqlite"

    @property
    def archive_dir(self) -> Path:
        """Return the folder where received files are kept under their hash."""
        return self.history_dir / "archive"

    @property
    def templates(self) -> TemplateDirs:
        """Return the template loader: the workspace's templates/ first, then the packaged ones."""
        return user_first(self.root / "templates")

    def template(self, name: str) -> Path:
        """Return the workspace's own template `name`, else the packaged default."""
        return self.templates.template(name)

    def master_workbook(self) -> Path:
        """Return the master workbook in input/plan/ (WorkspaceError when none or several)."""
        found = sorted(p for p in self.plan_dir.glob("*.xlsx") if not p.name.startswith(("~$", ".~")))
        if not found:
            raise WorkspaceError(
                f"{self.plan_dir} 下没有任务分解总表（.xlsx）。请先运行：reportgen plan import 任务分解文件"
            )
        if len(found) > 1:
            names = "、".join(p.name for p in found)
            raise WorkspaceError(f"{self.plan_dir} 下有多个总表（{names}），请只保留一个")
        return found[0]


def open_workspace(root: Path) -> Workspace:
    """Return the workspace at `root` with its configuration loaded."""
    root = root.resolve()
    if not root.is_dir():
        raise WorkspaceError(f"工作区目录不存在：{root}")
    if not (root / CONFIG_NAME).exists() and not (root / "input").is_dir():
        raise WorkspaceError(
            f"{root} 不是 reportgen 工作区（没有 {CONFIG_NAME} 和 input/）。"
            "可用 reportgen init 目录 新建，或用 -w 指定工作区"
        )
    return Workspace(root=root, config=load_config(root / CONFIG_NAME))


def find_workspace(start: Path) -> Workspace:
    """Return the workspace holding `start`: `start` itself, else the nearest folder above it
    with a reportgen.toml (as git finds its root from any subfolder)."""
    start = start.resolve()
    if not start.is_dir():
        raise WorkspaceError(f"工作区目录不存在：{start}")
    if (start / CONFIG_NAME).exists() or (start / "input").is_dir():
        return open_workspace(start)
    for folder in start.parents:
        if (folder / CONFIG_NAME).is_file():
            return open_workspace(folder)
    return open_workspace(start)  # raises, naming `start`


def sample_inputs() -> Path:
    """Return the packaged example inputs (the seed plan and two months of submissions)."""
    return Path(str(resources.files("reportgen.sample")))


def _copy_sample(root: Path) -> None:
    src = sample_inputs()
    for sub in ("plan", "submissions"):
        shutil.copytree(src / sub, root / "input" / sub, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__", "*.py", "*.pyc", "expected.json"))


def init_workspace(root: Path, sample: bool = False) -> Workspace:
    """Create a workspace at `root` (folders, commented config, templates) and return it.

    With `sample`, the example plan and two months of submissions are copied in, so that
    `reportgen run --period 2024-06` works at once.
    """
    root = root.resolve()
    if (root / CONFIG_NAME).exists():
        raise WorkspaceError(f"{root} 已经是工作区（已有 {CONFIG_NAME}），未做改动")
    for sub in ("input/plan", "input/submissions", "input/replies", "output", "templates", "history"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    src = default_templates()
    copied = []
    for f in sorted(src.iterdir()):
        if f.suffix in (".docx", ".xlsx"):
            shutil.copy2(f, root / "templates" / f.name)
            copied.append(f.name)
    remember(root / "templates", copied, src)  # so a later program can tell them from edited ones
    shutil.copy2(src / CONFIG_NAME, root / CONFIG_NAME)
    if sample:
        _copy_sample(root)
    return open_workspace(root)
