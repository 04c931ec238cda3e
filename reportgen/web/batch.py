"""The monthly batch started from the office page: one at a time, with its progress shown.

The batch runs as `python -m reportgen.web.batch ROOT PERIOD`, a child process watched by a
background thread: the batch forks for its spreadsheets, which is not safe from inside a
multi-threaded server, and a crash in it cannot take the pages down. The child reports each
stage as one JSON line on its standard output.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportgen.errors import BusyError, ReportgenError
from reportgen.fsutil import workspace_lock
from reportgen.model import Severity
from reportgen.workspace import Workspace, open_workspace


@dataclass
class BatchState:
    """What the office page shows about the batch."""

    state: str = "idle"  # idle | running | done | failed
    period: str = ""
    stage: str = ""
    step: int = 0
    total: int = 0
    started: dt.datetime | None = None
    finished: dt.datetime | None = None
    message: str = ""  # the outcome, in Chinese
    stages: list[str] = field(default_factory=list)


class BatchRunner:
    """Starts the batch in the background and keeps its progress for the pages."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self._lock = threading.Lock()
        self._state = BatchState()
        self._thread: threading.Thread | None = None

    def snapshot(self) -> BatchState:
        """Return a copy of the current state."""
        with self._lock:
            return BatchState(**{**self._state.__dict__, "stages": list(self._state.stages)})

    def start(self, period: str, pdf: bool = False) -> str:
        """Start the batch for `period` (and PDFs); return why it was refused (empty when started)."""
        with self._lock:
            if self._state.state == "running":
                return f"{self._state.period} 的材料正在生成中，请等它完成后再试"
            try:
                with workspace_lock(self.ws.history_dir / "run.lock"):
                    pass
            except BusyError as exc:
                return f"{exc}（可能有人在命令行运行 reportgen run）"
            self._state = BatchState(state="running", period=period, stage="启动", started=dt.datetime.now())
            self._thread = threading.Thread(target=self._watch, args=(period, pdf), daemon=True)
            self._thread.start()
            return ""

    def wait(self, timeout: float | None = None) -> BatchState:
        """Wait for the running batch to end (for tests and shutdown) and return the state."""
        if self._thread is not None:
            self._thread.join(timeout)
        return self.snapshot()

    def _update(self, **changes: Any) -> None:
        with self._lock:
            for key, value in changes.items():
                setattr(self._state, key, value)

    def _watch(self, period: str, pdf: bool) -> None:
        cmd = [sys.executable, "-m", "reportgen.web.batch", str(self.ws.root), period, *(["--pdf"] if pdf else [])]
        final: dict[str, Any] = {}
        try:
            with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  encoding="utf-8") as proc:
                assert proc.stdout is not None and proc.stderr is not None
                for line in proc.stdout:
                    final = self._event(json.loads(line)) or final
                err = proc.stderr.read()
                proc.wait()
        except (OSError, ValueError) as exc:
            final = {"error": f"未能启动生成程序：{exc}"}
            err = ""
        ok = "done" in final
        message = final.get("done") or final.get("error") or f"生成程序异常退出：{err.strip()[-300:]}"
        self._update(state="done" if ok else "failed", message=message, finished=dt.datetime.now(), stage="")

    def _event(self, event: dict[str, Any]) -> dict[str, Any] | None:
        if "stage" in event:
            with self._lock:
                self._state.stage, self._state.step, self._state.total = event["stage"], 0, event["total"]
                self._state.stages.append(event["stage"])
            return None
        if "advance" in event:
            with self._lock:
                self._state.step += event["advance"]
            return None
        return event


# ---------------------------------------------------------------- the child process


def _emit(event: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(event, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _hook(label: str, total: int) -> Callable[[int], None]:
    _emit({"stage": label, "total": total})
    return lambda n: _emit({"advance": n})


def _summary(report: Any) -> str:
    result = report.result
    sent = sum(1 for u in result.units if u.submitted)
    errors = sum(1 for i in result.issues if i.severity is Severity.ERROR)
    text = (f"已生成 {result.period} 的材料：应报 {len(result.units)} 个单位，已报 {sent} 个；"
            f"校验错误 {errors} 条；写出 {len(report.written)} 个文件")
    if report.failures:
        text += "；未能生成：" + "；".join(report.failures)
    return text


def main(argv: list[str]) -> int:
    """Run the batch for workspace argv[0], period argv[1] (argv[2] --pdf); report progress as JSON lines."""
    from reportgen.pipeline import run_period  # the whole batch: only in the child

    try:
        report = run_period(open_workspace(Path(argv[0])), argv[1], pdf="--pdf" in argv[2:], progress=_hook)
    except ReportgenError as exc:
        _emit({"error": str(exc)})
        return 1
    _emit({"done": _summary(report)})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
