"""Where templates come from: the workspace's own folder first, then the packaged defaults.

Renderers ask a `TemplateSource` for a template by name and never see the workspace.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Protocol

from reportgen.errors import WorkspaceError


class TemplateSource(Protocol):
    """Anything that finds a template file by name (a Workspace, a TemplateDirs)."""

    def template(self, name: str) -> Path:
        """Return the path of the template called `name`."""
        ...


def default_templates() -> Path:
    """Return the folder of the packaged default templates."""
    return Path(str(resources.files("reportgen.templates")))


@dataclass(frozen=True)
class TemplateDirs:
    """Looks a template up in each folder in turn: the user's first, the packaged last."""

    folders: tuple[Path, ...]

    def template(self, name: str) -> Path:
        """Return the first `folder/name` that is a file; WorkspaceError when none is."""
        for folder in self.folders:
            if (folder / name).is_file():
                return folder / name
        raise WorkspaceError(f"找不到模板 {name}：工作区 templates/ 下没有，程序自带的也没有")


def user_first(own: Path) -> TemplateDirs:
    """Return the loader that prefers templates in `own` over the packaged defaults."""
    return TemplateDirs((own, default_templates()))
