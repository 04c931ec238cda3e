"""The benchmark script writes its table between the README markers and touches nothing else."""

from __future__ import annotations

from pathlib import Path

from benchmarks.run_bench import END, START, tables, write_readme


def _result(milestones: int, total: float) -> dict:
    return {
        "size": "x", "files": milestones // 40, "milestones": milestones, "units": milestones // 40,
        "written": 10, "failures": [], "total": total, "cpu": total * 1.3, "peak_mb": 100.0,
        "cpus": 2, "runs": [total, total + 0.1, total + 0.2],
        "stages": {"读取报送表": total * 0.2, "生成公文": total * 0.5, "生成汇总表": total * 0.3,
                   "其他（总表、模板检查、发布）": 0.1},
        "floors": {"读取报送表": total * 0.1, "生成公文": total * 0.4, "生成汇总表": total * 0.2},
    }


def test_table_has_every_stage_size_and_ratio() -> None:
    text = tables([_result(3000, 2.0), _result(12000, 8.0)], {"reportgen --help": 0.05})
    assert "| 生成公文 ∥ | 4.00 | 3.20 | 1.25 |" in text
    assert "| **合计** | **8.00** | **5.60** | **1.43** |" in text
    assert "| 300 | 12,000 | 300 | 8.00 | 5.60 | 1.43 |" in text
    assert "节点从 3,000 增至 12,000（×4），用时 ×4.0" in text
    assert "`reportgen --help`：0.05 秒" in text


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
