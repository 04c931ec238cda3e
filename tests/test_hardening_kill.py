"""A run killed at random points loses nothing (issue 9).

A complete run first; then `reportgen run` is started again and killed with SIGKILL five
times, after random delays and at the moments the ledger is written and the files are moved
in. After each kill the previous outputs still open and say the same, the ledger passes
SQLite's integrity check with the period's rows intact, and the inputs are unchanged.
Finally a run completes and gives the same outputs.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.hardening_support import (
    PERIOD,
    ROOT,
    check_outputs_open,
    example_workspace,
    ledger_rows,
    output_content,
    tree_hashes,
)

pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")]

# Where to kill: "" after a random delay within a run's duration, else as soon as the run log
# shows this line (the ledger being written; every document rendered, files being moved in).
POINTS = ("", "开始：记入台账", "", "完成：生成汇总表", "")


def _run_cmd(root: Path) -> list[str]:
    return [sys.executable, "-m", "reportgen", "run", "--period", PERIOD, "-w", str(root)]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _log(root: Path) -> Path:
    """The run's log: in the staging folder while it runs, in the output folder once published."""
    staging = root / "output" / f".staging-{PERIOD}" / "run.log"
    return staging if staging.exists() else root / "output" / PERIOD / "run.log"


def _last_stage(root: Path) -> str:
    log = _log(root)
    lines = log.read_text("utf-8", "replace").splitlines() if log.exists() else []
    return lines[-1] if lines else "(before the log)"


def _wait_for_line(root: Path, line: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        log = _log(root)
        if log.exists() and line in log.read_text("utf-8", "replace"):
            return
        time.sleep(0.002)


def test_killed_runs_lose_nothing(tmp_path: Path) -> None:
    root = example_workspace(tmp_path / "ws")
    inputs = tree_hashes(root / "input")
    start = time.perf_counter()
    done = subprocess.run(_run_cmd(root), capture_output=True, text=True, env=_env(), timeout=300)
    full = time.perf_counter() - start
    assert done.returncode == 0, done.stderr
    out_dir = root / "output" / PERIOD
    before = output_content(out_dir)
    ledger = ledger_rows(root / "history" / "ledger.sqlite")

    rng = random.Random(20240630)
    killed_running = 0
    where: list[str] = []
    for point in POINTS:
        proc = subprocess.Popen(_run_cmd(root), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, env=_env())
        if point:
            _wait_for_line(root, point, proc)
        else:
            time.sleep(rng.uniform(0.05, 0.85 * full))  # inside the run, start-up included
        if proc.poll() is None:
            killed_running += 1
            proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        where.append(_last_stage(root))
        check_outputs_open(out_dir)
        assert output_content(out_dir) == before, f"outputs changed after a kill at: {where[-1]}"
        assert ledger_rows(root / "history" / "ledger.sqlite") == ledger, where[-1]
        assert tree_hashes(root / "input") == inputs
    assert killed_running >= len(POINTS) - 1, where  # the kills fall inside a run

    again = subprocess.run(_run_cmd(root), capture_output=True, text=True, env=_env(), timeout=300)
    assert again.returncode == done.returncode, again.stderr
    assert output_content(out_dir) == before
    assert ledger_rows(root / "history" / "ledger.sqlite") == ledger
    assert not [p for p in (root / "output").iterdir() if p.name.startswith(".staging")]


# Runs the period with the ledger paused half-way through its transaction (after the period's
# old rows are deleted, before the new ones are in), so the kill lands inside it every time.
_PAUSED_RUN = """
import contextlib, sys, time
from pathlib import Path
from reportgen import ledger
from reportgen.pipeline import run_period
from reportgen.workspace import open_workspace

marker = Path(sys.argv[2])
original = ledger.Ledger._transaction


class Paused:
    def __init__(self, conn):
        self.conn = conn

    def execute(self, sql, *args):
        out = self.conn.execute(sql, *args)
        if sql.startswith("DELETE FROM periods"):
            marker.write_text("paused")
            time.sleep(60)
        return out

    def __getattr__(self, name):
        return getattr(self.conn, name)


@contextlib.contextmanager
def paused(self):
    with original(self) as conn:
        yield Paused(conn)


ledger.Ledger._transaction = paused
run_period(open_workspace(Path(sys.argv[1])), sys.argv[3])
"""


def test_second_run_refused_and_kill_inside_the_ledger_transaction(tmp_path: Path) -> None:
    root = example_workspace(tmp_path / "ws")
    done = subprocess.run(_run_cmd(root), capture_output=True, text=True, env=_env(), timeout=300)
    assert done.returncode == 0, done.stderr
    ledger = ledger_rows(root / "history" / "ledger.sqlite")
    assert ledger["periods"] and ledger["milestone_statuses"]
    marker = tmp_path / "paused"
    proc = subprocess.Popen([sys.executable, "-c", _PAUSED_RUN, str(root), str(marker), PERIOD],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=_env())
    deadline = time.monotonic() + 120
    while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert marker.exists(), proc.stderr.read() if proc.stderr else ""
    # a second run meanwhile is refused, with a message, and changes nothing
    second = subprocess.run(_run_cmd(root), capture_output=True, text=True, env=_env(), timeout=300)
    assert second.returncode == 1
    assert "该工作区正有另一个 reportgen 在运行" in second.stderr + second.stdout
    assert f"进程 {proc.pid}" in second.stderr + second.stdout
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    # the deletion was never committed: the period is all there
    assert ledger_rows(root / "history" / "ledger.sqlite") == ledger
    again = subprocess.run(_run_cmd(root), capture_output=True, text=True, env=_env(), timeout=300)
    assert again.returncode == done.returncode, again.stderr
    assert ledger_rows(root / "history" / "ledger.sqlite") == ledger


# Runs the period and pauses after the first finished file has been moved into output/<period>/.
_PAUSED_PUBLISH = """
import os, sys, time
from pathlib import Path
from reportgen.pipeline import run_period
from reportgen.workspace import open_workspace

root, marker, period = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
out = root / "output" / period
real = os.replace


def replace(source, target):
    done = real(source, target)
    if Path(target).parent == out and Path(target).suffix != ".log":
        marker.write_text(str(target))
        time.sleep(60)
    return done


os.replace = replace
run_period(open_workspace(root), period)
"""


def test_kill_while_publishing_leaves_every_file_whole(tmp_path: Path) -> None:
    root = example_workspace(tmp_path / "ws")
    done = subprocess.run(_run_cmd(root), capture_output=True, text=True, env=_env(), timeout=300)
    assert done.returncode == 0, done.stderr
    out_dir = root / "output" / PERIOD
    before = output_content(out_dir)
    marker = tmp_path / "paused"
    proc = subprocess.Popen([sys.executable, "-c", _PAUSED_PUBLISH, str(root), str(marker), PERIOD],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=_env())
    deadline = time.monotonic() + 120
    while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert marker.exists(), proc.stderr.read() if proc.stderr else ""
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    check_outputs_open(out_dir)
    assert output_content(out_dir) == before
    again = subprocess.run(_run_cmd(root), capture_output=True, text=True, env=_env(), timeout=300)
    assert again.returncode == done.returncode, again.stderr
    assert output_content(out_dir) == before
