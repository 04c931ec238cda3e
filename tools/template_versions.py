"""Write templates/versions.json: the sha256 of every version of each bundled template ever committed,
and of the one in the folder now.

A workspace's copy of a template that matches one of them is a bundled version nobody edited
(reportgen.template_versions). Run after regenerating templates (`make templates` does):

    python -m tools.template_versions
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

from reportgen.template_versions import SUFFIXES, VERSIONS

ROOT = Path(__file__).resolve().parent.parent
FOLDER = "templates"


def _git(*args: str) -> bytes:
    return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True).stdout


def versions(name: str) -> list[str]:
    """The hashes of every committed version of templates/`name`, oldest first, then the file's."""
    found: list[str] = []
    commits = _git("log", "--format=%H", "--", f"{FOLDER}/{name}").decode().split()
    for commit in reversed(commits):
        try:
            data = _git("show", f"{commit}:{FOLDER}/{name}")
        except subprocess.CalledProcessError:  # the commit deleted it
            continue
        found.append(hashlib.sha256(data).hexdigest())
    found.append(hashlib.sha256((ROOT / FOLDER / name).read_bytes()).hexdigest())
    return list(dict.fromkeys(found))


def main() -> None:
    folder = ROOT / FOLDER
    names = sorted(p.name for p in folder.iterdir() if p.suffix in SUFFIXES)
    # earlier entries stay: a version made but never committed may sit in some workspace
    path = folder / VERSIONS
    known = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    out = {name: list(dict.fromkeys([*known.get(name, []), *versions(name)])) for name in names}
    path.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{path}: {', '.join(f'{n} {len(v)}' for n, v in out.items())}")


if __name__ == "__main__":
    main()
