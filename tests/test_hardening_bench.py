"""The benchmark: CPU counted with children, tables from the rounds, README between markers."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from benchmarks.run_bench import END, START, measure, tables, write_readme


def _command(wall: list[float], cpu: list[float], floor: list[float]) -> dict:
    return {
        "wall": wall, "cpu": cpu, "floor_wall": floor, "floor_cpu": [f * 0.9 for f in floor],
        "peak_mb": 180.0, "wall_ratio": sorted(wall)[1] / sorted(floor)[1],
        "cpu_ratio": sorted(cpu)[1] / (sorted(floor)[1] * 0.9),
        "floor_parts": {"读取": 0.5, "公文": 2.0, "启动与导入": 0.4},
        "stages": {"读取报送表": 0.9, "核对进度": 0.2, "生成公文": 3.1},
    }


def _result(milestones: int, scale: float) -> dict:
    commands = {name: _command([2.0 * scale, 2.2 * scale, 3.0 * scale],
                               [2.5 * scale, 2.6 * scale, 2.7 * scale],
                               [1.9 * scale, 2.0 * scale, 2.5 * scale])
                for name in ("plan import", "check", "run")}
    return {"units": milestones // 40, "items": milestones // 4, "milestones": milestones,
            "files": milestones // 41, "status": [0.2, 0.25, 0.3], "cpus": 2,
            "load": [1.5, 3.25, 2.0], "status_cold": 4.5, "commands": commands}


def test_table_has_min_median_ratios_per_command_and_size() -> None:
    text = tables([_result(3000, 1.0), _result(12000, 4.0)], [0.05, 0.06, 0.09], 3)
    # min / median of the command and of its floors; ratios of the medians
    assert "| `run` | 12,000 | 8.00 / 8.80 | 7.60 / 8.00 | 1.10 | 10.00 / 10.40 | 6.84 / 7.20 | 1.44 | 180 |" in text
    assert "| `check` | 3,000 | 2.00 / 2.20 | 1.90 / 2.00 | 1.10 |" in text
    assert "| 读取报送表 | 0.90 | 0.50 |" in text
    assert "| 核对进度 | 0.20 | — |" in text
    assert "| 生成公文 ∥ | 3.10 | 2.00 |" in text
    assert "`reportgen --help`：0.05 / 0.06 秒" in text
    assert ("（292 个报送文件，各文件已由 check 或 run 读过）：0.20 / 0.25 秒；"
            "第一次（逐个读取全部文件）：4.50 秒") in text
    assert "1 分钟平均负载为 1.5–3.2（2 核" in text
    assert "交替测量 3 轮" in text


@pytest.mark.slow  # about a second: kept out of the fast lane
def test_cpu_of_grandchildren_is_counted() -> None:
    burn = "x = 0\nfor i in range(2_000_000): x += i"
    spawn = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {burn!r}])"
    alone = measure([sys.executable, "-c", burn])
    nested = measure([sys.executable, "-c", spawn])
    assert nested.cpu > alone.cpu * 0.8 > 0.02


def test_readme_section_replaced_between_markers_only(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# 标题\n\n前文\n\n{START}\n旧表\n{END}\n\n后文\n", encoding="utf-8")
    write_readme("新表", readme)
    assert readme.read_text(encoding="utf-8") == f"# 标题\n\n前文\n\n{START}\n新表\n{END}\n\n后文\n"
    write_readme("再新", readme)
    assert readme.read_text(encoding="utf-8").count(START) == 1


def test_readme_markers_added_at_the_end_when_absent(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# 标题\n\n正文\n", encoding="utf-8")
    write_readme("表", readme)
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("# 标题\n\n正文\n")
    assert text.endswith(f"{START}\n表\n{END}\n")
