"""Run one headless LibreOffice conversion: its own profile folder, its own process group, a time limit."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Sequence
from pathlib import Path


def run_soffice(soffice: str, profile: Path, convert_to: str, outdir: Path, files: Sequence[str],
                timeout: float, env: dict[str, str] | None = None) -> tuple[int, str] | None:
    """Return (exit code, stderr) of converting `files` into `outdir`, or None when it ran out of time.

    Each call gets its own profile: conversions sharing one profile fail when they run at once.
    """
    cmd = [soffice, f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless",
           "--norestore", "--nolockcheck", "--convert-to", convert_to, "--outdir", str(outdir), *files]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            start_new_session=True)
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        # end the whole process group: soffice.bin is a child of the soffice wrapper
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return None
    return proc.returncode, err.decode(errors="replace")
