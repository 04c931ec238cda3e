"""Which version of the bundled templates a workspace's own copies are, and bringing them up to date.

`reportgen init` copies the bundled templates into the workspace's templates/, where the office
edits them. A later program brings improved templates (new wording, a new field), but the
workspace keeps using its copy: nothing printed says so. Here a copy is recognised by its bytes:
`versions.json` (next to the bundled templates, written by `tools.template_versions`) lists every
version of each template the program has shipped, and the workspace's `.bundled.json` (written at
init and on update) records which one each copy was taken from. So a copy is

- the current bundled template (nothing to say);
- an older bundled one, never edited: `run`/`check` say so, `reportgen templates --update` replaces it;
- edited by the office from an older one (or from one the record does not know): said too; an
  update replaces it with the new one only when asked, keeping the edited copy as a backup, and
  `--keep` records that the office has compared its copy with the current one;
- edited from the current one: the office's own template, nothing to say.

`run` never changes templates/ itself: the papers are signed, so new wording comes in when the
office chooses it.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from reportgen.errors import UsageError
from reportgen.fsutil import write_text_atomic
from reportgen.loader import default_templates

VERSIONS = "versions.json"  # in the bundled templates' folder: name -> hashes of every version shipped
RECORD = ".bundled.json"  # in a workspace's templates/: name -> hash of the bundled version copied
BACKUPS = "备份"  # templates/备份/<date>/<name>: what an update replaced
SUFFIXES = (".docx", ".xlsx")


class State(enum.Enum):
    """Where a workspace's template stands against the bundled one."""

    CURRENT = "与程序自带的当前版相同"
    OWN = "按当前版修改过（本单位的模板）"
    OLD = "是程序自带的旧版，未修改过"
    EDITED_OLD = "按旧版修改过，程序自带的已更新"
    EDITED_UNKNOWN = "修改过，不知道是按哪一版改的"
    BUNDLED = "工作区没有，使用程序自带的当前版"


STALE = (State.OLD, State.EDITED_OLD, State.EDITED_UNKNOWN)


@dataclass(frozen=True)
class TemplateState:
    """One template: its name and state."""

    name: str
    state: State

    @property
    def edited(self) -> bool:
        """True when the workspace's copy holds changes the office made."""
        return self.state in (State.OWN, State.EDITED_OLD, State.EDITED_UNKNOWN)


def digest(path: Path) -> str:
    """The sha256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def bundled_names(bundled: Path | None = None) -> list[str]:
    """The bundled templates' file names."""
    folder = bundled or default_templates()
    return sorted(p.name for p in folder.iterdir() if p.suffix in SUFFIXES)


def _shipped(bundled: Path) -> dict[str, set[str]]:
    try:
        data = json.loads((bundled / VERSIONS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {name: set(hashes) for name, hashes in data.items()}


def _record(own: Path) -> dict[str, str]:
    try:
        data = json.loads((own / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def template_states(own: Path, bundled: Path | None = None) -> list[TemplateState]:
    """Return where each bundled template stands in the workspace's templates folder `own`."""
    bundled = bundled or default_templates()
    shipped, record = _shipped(bundled), _record(own)
    out = []
    for name in bundled_names(bundled):
        out.append(TemplateState(name, _state(own / name, digest(bundled / name),
                                              shipped.get(name, set()), record.get(name))))
    return out


def _state(copy: Path, current: str, shipped: set[str], base: str | None) -> State:
    if not copy.is_file():
        return State.BUNDLED
    mine = digest(copy)
    if mine == current:
        return State.CURRENT
    if mine in shipped:
        return State.OLD
    if base == current:
        return State.OWN
    return State.EDITED_OLD if base is not None else State.EDITED_UNKNOWN


def stale_notes(own: Path, bundled: Path | None = None) -> list[str]:
    """Return a line (Chinese) for each workspace template older than the bundled one, and what to do."""
    stale = [t for t in template_states(own, bundled) if t.state in STALE]
    if not stale:
        return []
    plain = [t.name for t in stale if t.state is State.OLD]
    notes = []
    if plain:
        notes.append(f"工作区 templates/ 中的{_names(plain)}是程序自带模板的旧版（未修改过），程序自带的已更新，"
                     "本次仍按旧版生成；运行 reportgen templates --update 换成新版")
    for state, what in ((State.EDITED_OLD, "是本单位按旧版改过的，程序自带的已更新"),
                        (State.EDITED_UNKNOWN, "是本单位改过的，不知道按哪一版改的，程序自带的可能已更新")):
        edited = [t.name for t in stale if t.state is state]
        if edited:
            notes.append(f"工作区 templates/ 中的{_names(edited)}{what}，本次仍按工作区的生成；对照新版后，"
                         "reportgen templates --update 名称 换成新版（改过的另存备份），或 --keep 名称 保留并不再提示")
    return notes


def _names(names: list[str]) -> str:
    return "、".join(f"《{n}》" for n in names)


@dataclass(frozen=True)
class Updated:
    """A template replaced by the bundled one, and where the replaced copy was kept."""

    name: str
    backup: Path
    edited: bool


def _chosen(states: list[TemplateState], names: tuple[str, ...]) -> list[TemplateState]:
    by_name = {t.name: t for t in states} | {Path(t.name).stem: t for t in states}  # 督办通知 too
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise UsageError(f"没有名为{_names(unknown)}的模板；程序自带的模板有：{_names([t.name for t in states])}")
    return list({by_name[n].name: by_name[n] for n in names}.values())


def update_templates(own: Path, names: tuple[str, ...] = (), today: dt.date | None = None,
                     bundled: Path | None = None) -> list[Updated]:
    """Replace workspace templates by the bundled ones and return what was replaced.

    Without `names`: the unedited old ones (an edited copy is replaced only when named). Every
    replaced copy is moved to templates/备份/<date>/ first; the record notes the new base."""
    bundled = bundled or default_templates()
    states = template_states(own, bundled)
    chosen = _chosen(states, names) if names else [t for t in states if t.state is State.OLD]
    chosen = [t for t in chosen if t.state not in (State.CURRENT, State.BUNDLED)]
    day = (today or dt.date.today()).isoformat()
    done = []
    for t in chosen:
        backup = _free(own / BACKUPS / day / t.name)
        backup.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(own / t.name, backup)
        shutil.copy2(bundled / t.name, own / t.name)
        done.append(Updated(t.name, backup, t.edited))
    remember(own, [t.name for t in chosen], bundled)
    return done


def keep_templates(own: Path, names: tuple[str, ...], bundled: Path | None = None) -> list[str]:
    """Record the named edited templates as compared with the current bundled ones (no more
    notices about them); return the names recorded."""
    chosen = [t for t in _chosen(template_states(own, bundled), names) if t.edited]
    remember(own, [t.name for t in chosen], bundled)
    return [t.name for t in chosen]


def remember(own: Path, names: list[str], bundled: Path | None = None) -> None:
    """Record the current bundled version as the base of the workspace's copies `names`."""
    if not names:
        return
    bundled = bundled or default_templates()
    record = _record(own)
    record.update({name: digest(bundled / name) for name in names})
    write_text_atomic(own / RECORD, json.dumps(record, ensure_ascii=False, indent=1, sort_keys=True) + "\n")


def _free(path: Path) -> Path:
    """`path`, or `name_2.ext`, … when a backup of that name exists already (two updates a day)."""
    n, found = 2, path
    while found.exists():
        found = path.with_name(f"{path.stem}_{n}{path.suffix}")
        n += 1
    return found
