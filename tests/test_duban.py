"""The 督办 ledger: nodes of each 督办通知, 销号 when they are done, repeats escalated."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from reportgen.cli import main
from reportgen.cn import doc_no_pattern
from reportgen.duban import DubanEnd, Issued, Notice, Reply, build_dubans, on_papers, open_dubans
from reportgen.model import Status
from reportgen.render.duban_words import duban_matters, duban_note
from reportgen.terminal import duban_lines
from reportgen.workspace import init_workspace

A, B = "甲单位", "乙单位"
OVER, DONE, LATE, ON = Status.OVERDUE, Status.DONE, Status.DONE_LATE, Status.IN_PROGRESS


def _month(**nodes: dict[str, Status]) -> dict[str, dict[str, tuple[Status, dt.date | None]]]:
    return {code: {unit: (status, None) for unit, status in units.items()} for code, units in nodes.items()}


# A scripted year: 甲 is pressed on M1 in March and again in April (escalated), finishes it late in
# May (销号); 乙 is pressed on M2 in April and never finishes; 甲's M3 is done the month after.
YEAR = {
    "2024-03": _month(M1={A: OVER}, M2={B: ON}, M3={A: ON}),
    "2024-04": _month(M1={A: OVER}, M2={B: OVER}, M3={A: OVER}),
    "2024-05": _month(M1={A: LATE}, M2={B: OVER}, M3={A: DONE}),
    "2024-06": _month(M1={A: LATE}, M2={B: OVER}, M3={A: DONE}),
}
NOTICES = [
    Notice("督字〔2024〕1号", "督办通知", "2024-03", A),
    Notice("函〔2024〕1号", "提醒函", "2024-03", B),  # not a 督办
    Notice("督字〔2024〕2号", "督办通知", "2024-04", A),
    Notice("督字〔2024〕3号", "督办通知", "2024-04", B),
    Notice("督字〔2024〕4号", "督办通知", "2024-05", B),
]


def test_a_scripted_year_of_dubans() -> None:
    dubans = build_dubans(NOTICES, YEAR)
    got = [(d.doc_no, d.unit, d.nodes, d.closed_in, d.round, d.escalated) for d in dubans]
    assert got == [
        ("督字〔2024〕1号", A, ["M1"], "2024-05", 1, False),
        ("督字〔2024〕2号", A, ["M1", "M3"], "2024-05", 2, False),  # closed: no longer escalated
        ("督字〔2024〕3号", B, ["M2"], None, 1, False),
        ("督字〔2024〕4号", B, ["M2"], None, 2, True),
    ]
    assert [d.doc_no for d in open_dubans(dubans)] == ["督字〔2024〕4号", "督字〔2024〕3号"]


def test_replies_on_time_late_and_missing() -> None:
    deadlines = {"督字〔2024〕1号": dt.date(2024, 4, 10), "督字〔2024〕2号": dt.date(2024, 5, 13),
                 "督字〔2024〕3号": dt.date(2024, 5, 13), "督字〔2024〕4号": dt.date(2024, 6, 12)}
    replies = {"督字〔2024〕1号": dt.date(2024, 4, 8), "督字〔2024〕2号": dt.date(2024, 5, 20)}
    dubans = {d.doc_no: d for d in build_dubans(NOTICES, YEAR, deadlines, replies)}
    today = dt.date(2024, 6, 1)
    states = {no: d.reply_state(today) for no, d in dubans.items()}
    assert states == {
        "督字〔2024〕1号": "已回复（2024年4月8日）",
        "督字〔2024〕2号": "逾期回复（2024年5月20日）",
        "督字〔2024〕3号": "逾期未回复（应于2024年5月13日前）",
        "督字〔2024〕4号": "待回复（2024年6月12日前）",
    }
    assert [no for no, d in dubans.items() if d.reply_overdue(today)] == ["督字〔2024〕3号"]


def test_a_closed_duban_is_not_said_to_owe_a_reply() -> None:
    """A 督办 closed before any reply (its nodes done, or ended by a plan revision) owes none: the
    台账 printed 逾期未回复 beside 已销号 / 终止督办, as if the unit were still chased."""
    deadlines = {"督字〔2024〕3号": dt.date(2024, 5, 13), "督字〔2024〕4号": dt.date(2024, 6, 12)}
    dubans = {d.doc_no: d for d in build_dubans(NOTICES, YEAR, deadlines, {})}
    dubans["督字〔2024〕3号"].closed_in = "2024-05"
    dubans["督字〔2024〕4号"].closed_in = "2024-06"
    dubans["督字〔2024〕4号"].ended = {code: DubanEnd.REMOVED for code in dubans["督字〔2024〕4号"].nodes}
    today = dt.date(2024, 7, 1)
    assert {no: d.reply_state(today) for no, d in dubans.items() if no in deadlines} == {
        "督字〔2024〕3号": "未回复（督办已销号）", "督字〔2024〕4号": "未回复（督办已终止）"}
    lines = duban_lines(list(dubans.values()), today, show_all=True)
    assert not any("逾期未回复" in line for line in lines[1:] if "督字〔2024〕3号" in line or "督字〔2024〕4号" in line)


def test_a_unit_renamed_in_the_plan_is_pressed_and_closed_as_the_same_unit() -> None:
    """乙 becomes 丙 in a revised plan (reportgen.toml lists 乙 as 丙's other name): 丙's 督办 on M2 in
    May is the second (citing 乙's April 文号), and 乙's April 督办 closes when 丙 finishes M2."""
    C = "丙单位"
    year = {**YEAR, "2024-05": _month(M1={A: LATE}, M2={C: OVER}, M3={A: DONE}),
            "2024-06": _month(M1={A: LATE}, M2={C: LATE}, M3={A: DONE})}
    notices = [*NOTICES[:4], Notice("督字〔2024〕4号", "督办通知", "2024-05", C)]
    dubans = {d.doc_no: d for d in build_dubans(notices, year, renamed={B: C, "乙": C})}
    fourth, third = dubans["督字〔2024〕4号"], dubans["督字〔2024〕3号"]
    assert (fourth.unit, fourth.round, [e.doc_no for e in fourth.earlier["M2"]]) == (C, 2, ["督字〔2024〕3号"])
    assert (third.unit, third.closed_in, fourth.closed_in) == (B, "2024-06", "2024-06")
    # told nothing of the rename, 丙 is another unit: its 督办 is a first (乙's closes as for a node moved)
    apart = {d.doc_no: d for d in build_dubans(notices, year)}
    assert (apart["督字〔2024〕4号"].round, apart["督字〔2024〕3号"].closed_in) == (1, "2024-06")


def test_a_duban_on_a_node_moved_to_another_unit_closes_when_that_unit_finishes_it() -> None:
    """乙's M2 goes to 丙 in a revised plan (乙 still exists): 乙's 督办 closes when 丙 reports M2 done."""
    C = "丙单位"
    year = {**YEAR, "2024-05": _month(M1={A: LATE}, M2={C: ON}, M3={A: DONE}),
            "2024-06": _month(M1={A: LATE}, M2={C: LATE}, M3={A: DONE})}
    dubans = {d.doc_no: d for d in build_dubans(NOTICES[:4], year)}
    assert dubans["督字〔2024〕3号"].closed_in == "2024-06"


def test_a_duban_whose_nodes_are_not_in_the_ledger_stays_open() -> None:
    dubans = build_dubans([Notice("督字〔2024〕9号", "督办通知", "2024-07", A)], YEAR)
    assert (dubans[0].nodes, dubans[0].closed) == ([], False)


def _docx_text(path: Path) -> str:
    from docx import Document

    return "\n".join(p.text for p in Document(str(path)).paragraphs)


def _expected_dubans(months: dict[str, dict]) -> list[tuple[str, str, str, str | None]]:
    """(period, unit, nodes in the plan's words, 销号 period) of every 督办, from summary.json alone."""
    expected = []
    for period, data in months.items():
        names = {it["code"]: it["name"] for it in data["items"]}
        overdue: dict[str, list[dict]] = {}
        for m in data["milestones"]:
            for unit, state in m["by_unit"].items():
                if state["status"] == "overdue":
                    overdue.setdefault(unit, []).append(m)
        for unit, ms in sorted(overdue.items()):
            codes = [m["code"] for m in ms]
            later = [p for p in months if p >= period and all(
                next(x for x in months[p]["milestones"] if x["code"] == c)["by_unit"][unit]["status"]
                in ("done", "done_late") for c in codes)]
            said = [(names[m["item"]], m["text"].rstrip("。；;，, ")) for m in sorted(ms, key=lambda m: m["code"])]
            # a task whose name already holds its node is named once
            words = "；".join(name if text in name else f"{name}：{text}" for name, text in said)
            expected.append((period, unit, words, later[0] if later else None))
    return expected


@pytest.mark.slow
def test_dubans_command_on_the_sample_months(tmp_path: Path) -> None:
    root = init_workspace(tmp_path / "ws", sample=True).root
    runner = CliRunner()
    ws = ["-w", str(root)]
    for period in ("2024-06", "2024-07"):
        result = runner.invoke(main, ["run", "-p", period, *ws])
        assert result.exit_code == 0, result.output
    months = {p: json.loads((root / "output" / p / "summary.json").read_text("utf-8")) for p in ("2024-06", "2024-07")}
    expected = _expected_dubans(months)
    assert expected  # the sample has 督办 to show
    result = runner.invoke(main, ["dubans", "--all", *ws], prog_name="reportgen")
    assert result.exit_code == 0, result.output
    rows = result.stdout.splitlines()[1:]
    heads, nodes = [r.split() for r in rows[0::2]], [r.strip().removeprefix("督办事项：") for r in rows[1::2]]
    got = [(f[1], f[2], words, f[3][4:-1] if f[3].startswith("已销号") else None)
           for f, words in zip(heads, nodes, strict=True)]
    assert sorted(got) == sorted(expected)
    assert f"督办通知共 {len(expected)} 件" in result.stdout
    assert not re.search(r"[PT]\d\d-M\d", result.stdout)  # nodes in the plan's words, never codes

    first = heads[0][0]
    replied = runner.invoke(main, ["dubans", "reply", first, "--date", "2024年7月8日", *ws], prog_name="reportgen")
    assert replied.exit_code == 0, replied.output
    assert f"已记入台账：{first}" in replied.stdout and "已回复（2024年7月8日）" in replied.stdout
    listed = runner.invoke(main, ["dubans", "--all", *ws], prog_name="reportgen")
    assert f"{first}  2024-06" in listed.stdout and "已回复（2024年7月8日）" in listed.stdout
    unknown = runner.invoke(main, ["dubans", "reply", "不存在〔2024〕9号", *ws], prog_name="reportgen")
    assert unknown.exit_code == 2 and "台账中没有文号为“不存在〔2024〕9号”的督办通知" in unknown.output


@pytest.mark.slow
def test_a_repeat_duban_cites_the_earlier_one_and_the_bulletin_says_so(tmp_path: Path) -> None:
    root = init_workspace(tmp_path / "ws", sample=True).root
    runner = CliRunner()
    for period in ("2024-06", "2024-07"):
        result = runner.invoke(main, ["run", "-p", period, "-w", str(root)])
        assert result.exit_code == 0, result.output
    june, july = (json.loads((root / "output" / p / "summary.json").read_text("utf-8")) for p in ("2024-06", "2024-07"))
    repeats = [d for d in july["dubans"] if d["period"] == "2024-07" and d["earlier"]]
    assert repeats  # the sample presses 规划和自然资源分局 on a June node again
    earlier = {d["doc_no"]: d for d in june["dubans"]}
    for d in repeats:
        notice = _docx_text(root / "output" / "2024-07" / "督办通知" / f"{d['unit']}.docx")
        for node, numbers in d["earlier"].items():
            assert [earlier[n]["unit"] for n in numbers] == [d["unit"]] * len(numbers)
            assert node in earlier[numbers[0]]["nodes"]
            issued = dt.date.fromisoformat(earlier[numbers[0]]["issued_on"])
            assert issued == dt.date.fromisoformat(june["dates"]["issue"])
            assert (f"该节点已于{issued.year}年{issued.month}月{issued.day}日以{numbers[0]}督办，至今仍未完成，"
                    f"本次为第{'二三四'[len(numbers) - 1]}次督办") in notice
        assert f"现予第{'二三四'[d['round'] - 2]}次督办" in notice
        bulletin = _docx_text(root / "output" / "2024-07" / "进度通报.docx")
        numbers = [n for ns in d["earlier"].values() for n in ns] + [d["doc_no"]]
        assert f"{d['unit']}负责的" in bulletin
        assert f"（{'、'.join(dict.fromkeys(numbers))}）仍未完成，予以通报" in bulletin
    # counts add up: 累计 = 已销号 + 督办中, as summary.json records them on the papers' date
    bulletin = _docx_text(root / "output" / "2024-07" / "进度通报.docx")
    closed = sum(d["state"] == "已销号" for d in july["dubans"])
    from reportgen.render.excel import read_tables

    book = read_tables(root / "output" / "2024-07" / "汇总表.xlsx")["督办台账"]
    assert [(r["督办文号"], r["责任单位"], r["状态"], r["督办次数"]) for r in book] == [
        (d["doc_no"], d["unit"], d["state"], d["round"]) for d in july["dubans"]]
    assert not any(re.search(r"[PT]\d\d-M\d", r["督办事项（节点）"]) for r in book)
    new = sum(d["period"] == "2024-07" for d in july["dubans"])
    assert (f"累计发出督办通知{len(july['dubans'])}件（其中本月{new}件），"
            f"已销号{closed}件，督办中{len(july['dubans']) - closed}件。") in bulletin


def test_a_third_duban_states_the_configured_measures() -> None:
    from reportgen.config import Config
    from reportgen.duban import as_of
    from reportgen.render.duban_words import duban_paragraph, escalation_text

    periods = ("2024-04", "2024-05", "2024-06")
    notices = [Notice(f"督字〔2024〕{i}号", "督办通知", p, B) for i, p in enumerate(periods, 1)]
    issued = {n.doc_no: Issued(dt.date(2024, int(n.period[5:]) + 1, 8), dt.date(2024, int(n.period[5:]) + 1, 15),
                               {"M2": "乙项目：完成土地摘牌"}) for n in notices}
    every = as_of(build_dubans(notices, YEAR, issued=issued), "2024-06", dt.date(2024, 7, 8))
    third = every[-1]
    assert (third.round, [e.doc_no for e in third.earlier["M2"]]) == (3, ["督字〔2024〕1号", "督字〔2024〕2号"])
    assert [d.state.value for d in every] == ["逾期未回复", "逾期未回复", "未到期"]
    config = Config()
    text = escalation_text(third, config)
    assert text.startswith("对上述节点，现予第三次督办。请你单位主要负责同志亲自过问")
    assert "督字" not in text  # the earlier 文号 are cited under the node, not again here
    assert "对经三次督办仍未完成的节点，经开区督查办将按规定对你单位主要负责同志进行约谈，并在全区范围内通报。" in text
    config.duban.serious_round = 4
    assert "约谈" not in escalation_text(third, config)

    from reportgen.model import PeriodResult

    result = PeriodResult("2024-06", dt.date(2024, 6, 30), 2024, "", "", 0.5, dubans=list(every))
    said = duban_paragraph(result, Config())
    assert "累计发出督办通知3件（其中本月1件），已销号0件，督办中3件。" in said
    assert ("逾期未书面反馈2件：督字〔2024〕1号（乙单位，回复期限2024年5月15日）；"
            "督字〔2024〕2号（乙单位，回复期限2024年6月15日）") in said
    assert ("乙单位负责的“乙项目：完成土地摘牌”节点经三次督办（督字〔2024〕1号、督字〔2024〕2号、督字〔2024〕3号）"
            "仍未完成，予以通报，经开区督查办将对其主要负责同志进行约谈，并在全区范围内通报。") in said


@pytest.mark.slow
def test_the_summary_workbook_has_a_duban_book(workspace) -> None:
    from reportgen.duban import Reply, as_of
    from reportgen.render.excel import read_tables, render_excel
    from tests.test_word_factory import make_result, year_history

    periods = ("2024-04", "2024-05", "2024-06")
    notices = [Notice(f"督字〔2024〕{i}号", "督办通知", p, B) for i, p in enumerate(periods, 1)]
    notices.append(Notice("督字〔2024〕9号", "督办通知", "2024-03", A))
    issued = {n.doc_no: Issued(dt.date(2024, int(n.period[5:]) + 1, 8), dt.date(2024, int(n.period[5:]) + 1, 15),
                               {"M2": "乙项目：完成土地摘牌"} if n.unit == B else {"M1": "甲项目：开工"})
              for n in notices}
    replies = {"督字〔2024〕1号": Reply(dt.date(2024, 5, 20), "已书面反馈整改措施")}
    from reportgen.calendar import month_calendar
    from reportgen.config import Config

    result = make_result(history=year_history())
    result.dates = month_calendar("2024-06", dt.date(2024, 6, 30), Config())
    result.dubans = list(as_of(build_dubans(notices, YEAR, issued=issued, replies=replies), "2024-06",
                               dt.date(2024, 7, 8)))
    out = render_excel(result, year_history(), workspace.templates, workspace.config,
                       workspace.output_dir("2024-06") / "汇总表.xlsx")
    rows = read_tables(out)["督办台账"]
    got = [(r["督办文号"], r["责任单位"], r["督办事项（节点）"], r["状态"], r["督办次数"], r["备注"]) for r in rows]
    assert got == [
        ("督字〔2024〕9号", A, "甲项目：开工", "已销号", 1, "2024年5月销号"),
        ("督字〔2024〕1号", B, "乙项目：完成土地摘牌", "已回复", 1, "逾期回复；已书面反馈整改措施"),
        ("督字〔2024〕2号", B, "乙项目：完成土地摘牌", "逾期未回复", 2, "前次督办：督字〔2024〕1号"),
        ("督字〔2024〕3号", B, "乙项目：完成土地摘牌", "未到期", 3, "前次督办：督字〔2024〕1号、督字〔2024〕2号"),
    ]
    assert (rows[1]["督办日期"].date(), rows[1]["回复期限"].date()) == (dt.date(2024, 5, 8), dt.date(2024, 5, 15))
    assert rows[1]["回复日期"].date() == dt.date(2024, 5, 20) and rows[2]["回复日期"] is None
    from openpyxl import load_workbook

    ws = load_workbook(out)["督办台账"]
    # as printed, each 文号 (4 in 督办文号, 3 cited in 备注) whole on one of its cell's lines
    lines = [line for row in ws.iter_rows(min_row=4, max_row=7) for c in (row[1], row[9])
             for line in str(c.value).split("\n")]
    assert sum(len(doc_no_pattern().findall(line)) for line in lines) == 7, lines
    assert ws["A2"].value == "状态截至2024年7月8日　　共4件，已销号1件，已回复1件，逾期未回复1件，未到期1件"
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$1:$3"


def test_across_plan_years_only_a_node_carried_over_counts_as_pressed_before() -> None:
    """M1 is dated in 2024 in the 2025 plan too (carried over, still overdue): January's 督办 cites
    December's. M2 is a yearly target the 2025 plan dates in 2025: June 2025's 督办 on it is a first."""
    notices = [Notice("督字〔2024〕5号", "督办通知", "2024-06", A, 2024),
               Notice("督字〔2024〕9号", "督办通知", "2024-12", A, 2024),
               Notice("督字〔2025〕1号", "督办通知", "2025-01", A, 2025),
               Notice("督字〔2025〕6号", "督办通知", "2025-06", A, 2025)]
    issued = {"督字〔2024〕5号": Issued(dt.date(2024, 7, 8), None, {"M2": "上半年完成投资1亿元"}),
              "督字〔2024〕9号": Issued(dt.date(2025, 1, 8), None, {"M1": "6月底前完成土地挂牌"}),
              "督字〔2025〕1号": Issued(dt.date(2025, 2, 8), None, {"M1": "6月底前完成土地挂牌"}),
              "督字〔2025〕6号": Issued(dt.date(2025, 7, 8), None, {"M2": "上半年完成投资1亿元"})}
    dues = {"M1": dt.date(2024, 6, 30), "M2": dt.date(2025, 6, 30)}
    got = {d.doc_no: d for d in build_dubans(notices, {}, issued=issued, dues=dues)}
    january, june = got["督字〔2025〕1号"], got["督字〔2025〕6号"]
    assert [e.doc_no for e in january.earlier["M1"]] == ["督字〔2024〕9号"] and january.round == 2
    assert january.earlier["M1"][0].issued_on == dt.date(2025, 1, 8)
    assert june.earlier == {} and june.round == 1
    # without the years (a ledger of one year), a code is one node as before
    plain = [Notice(n.doc_no, n.kind, n.period, n.unit) for n in notices]
    assert {d.doc_no: d.round for d in build_dubans(plain, {}, issued=issued, dues=dues)}["督字〔2025〕6号"] == 2


def test_the_new_years_papers_carry_an_earlier_years_duban_still_open_when_it_began() -> None:
    """Of 2024's 督办 only those open on 1 January 2025 are on January's papers: December's (due in
    January, unanswered: chased; answered in January: listed as replied) and November's unanswered
    one; November's answered in December and October's closed in December stay in 2024's papers.
    A 2025 status counts for a 2024 node only when the 2025 plan carries it (M1, dated 2024): M2 is
    the same code for 2025's own target, so 2024's 督办 on it is closed in January as 年度结束未完成
    (not as done, nor chased all 2025 for a reply), though M2 is done in 2025."""
    statuses = {"2024-10": _month(M1={A: OVER}, M3={B: OVER}), "2024-11": _month(M1={A: OVER, B: OVER}, M3={B: OVER}),
                "2024-12": _month(M1={A: OVER, B: OVER}, M2={B: OVER}, M3={B: DONE}),
                "2025-01": _month(M1={A: OVER, B: OVER}, M2={B: DONE}, M3={B: DONE})}
    notices = [Notice("督字〔2024〕7号", "督办通知", "2024-10", B, 2024),  # M3, closed in December
               Notice("督字〔2024〕8号", "督办通知", "2024-11", A, 2024),  # M1, replied in December
               Notice("督字〔2024〕9号", "督办通知", "2024-11", B, 2024),  # M1 too, never answered
               Notice("督字〔2024〕10号", "督办通知", "2024-12", A, 2024),  # M1, due in January
               Notice("督字〔2024〕11号", "督办通知", "2024-12", B, 2024),  # M2, answered in January
               Notice("督字〔2025〕1号", "督办通知", "2025-01", A, 2025)]
    nodes = {"督字〔2024〕7号": "M3", "督字〔2024〕9号": "M1", "督字〔2024〕11号": "M2"}
    issued = {n.doc_no: Issued(dt.date(int(n.period[:4]), int(n.period[5:]), 28) + dt.timedelta(days=10),
                               dt.date(int(n.period[:4]), int(n.period[5:]), 28) + dt.timedelta(days=20),
                               {nodes.get(n.doc_no, "M1"): "节点"}) for n in notices}
    replies = {"督字〔2024〕8号": Reply(dt.date(2024, 12, 10)), "督字〔2024〕11号": Reply(dt.date(2025, 1, 10))}
    dues = {"M1": dt.date(2024, 6, 30), "M2": dt.date(2025, 12, 31), "M3": dt.date(2024, 9, 30)}
    every = build_dubans(notices, statuses, replies=replies, issued=issued, dues=dues)
    papers = on_papers(every, 2025, "2025-01", dt.date(2025, 2, 8))
    got = {d.doc_no: (d.carried_from, d.state.value) for d in papers}
    assert got == {"督字〔2024〕9号": (2024, "逾期未回复"), "督字〔2024〕10号": (2024, "逾期未回复"),
                   "督字〔2024〕11号": (2024, "终止督办"), "督字〔2025〕1号": (0, "未到期")}
    ended = next(d for d in papers if d.doc_no == "督字〔2024〕11号")
    assert (ended.closed_in, ended.ended) == ("2025-01", {"M2": DubanEnd.YEAR_END})
    assert duban_note(ended) == "2024年度结转；2025年1月终止督办（2024年度结束，节点未完成）"
    # December's papers: 2024's own, none carried
    assert {d.doc_no for d in on_papers(every, 2024, "2024-12", dt.date(2025, 1, 8))} == {
        n.doc_no for n in notices if n.year == 2024}


def test_a_carried_duban_is_reported_closed_in_its_month_then_leaves_the_years_papers() -> None:
    """December's 督办 on 2024's own target (M2) ends in January; 乙's November one on the carried M1 is
    done in February (销号 then); 甲's December one stays open. Each closed one is on the papers of the
    month it closed only; the year's own 督办, closed in February, stays on the year's 台账. Rerun,
    January's papers still show January's closing; the register of every year keeps them all."""
    statuses = {"2024-11": _month(M1={A: OVER, B: OVER}), "2024-12": _month(M1={A: OVER, B: OVER}, M2={B: OVER}),
                "2025-01": _month(M1={A: OVER, B: OVER}, M2={B: DONE}, M3={A: OVER}),
                "2025-02": _month(M1={A: OVER, B: LATE}, M2={B: DONE}, M3={A: DONE}),
                "2025-03": _month(M1={A: OVER, B: LATE}, M2={B: DONE}, M3={A: DONE})}
    notices = [Notice("督字〔2024〕9号", "督办通知", "2024-11", B, 2024),
               Notice("督字〔2024〕10号", "督办通知", "2024-12", A, 2024),
               Notice("督字〔2024〕11号", "督办通知", "2024-12", B, 2024),
               Notice("督字〔2025〕1号", "督办通知", "2025-01", A, 2025)]
    nodes = {"督字〔2024〕11号": "M2", "督字〔2025〕1号": "M3"}
    issued = {n.doc_no: Issued(None, None, {nodes.get(n.doc_no, "M1"): "节点"}) for n in notices}
    dues = {"M1": dt.date(2024, 6, 30), "M2": dt.date(2025, 12, 31), "M3": dt.date(2025, 1, 20)}
    every = build_dubans(notices, statuses, issued=issued, dues=dues)
    assert {d.doc_no: d.closed_in for d in every} == {
        "督字〔2024〕9号": "2025-02", "督字〔2024〕10号": None, "督字〔2024〕11号": "2025-01",
        "督字〔2025〕1号": "2025-02"}

    def papers(period: str) -> dict[str, str]:
        return {d.doc_no: d.state.value for d in on_papers(every, 2025, period, dt.date(2025, int(period[5:]) + 1, 8))}

    assert papers("2025-01") == {"督字〔2024〕9号": "未到期", "督字〔2024〕10号": "未到期",
                                 "督字〔2024〕11号": "终止督办", "督字〔2025〕1号": "未到期"}
    assert papers("2025-02") == {"督字〔2024〕9号": "已销号", "督字〔2024〕10号": "未到期", "督字〔2025〕1号": "已销号"}
    assert papers("2025-03") == {"督字〔2024〕10号": "未到期", "督字〔2025〕1号": "已销号"}
    assert [line.split()[0] for line in duban_lines(every, dt.date(2025, 4, 8), True)[1::2]] == [
        n.doc_no for n in notices]

def test_a_notices_nodes_keep_the_plans_order_in_the_book_and_the_reply_form(tmp_path: Path) -> None:
    """A city's codes pass 99: sorted as text, P100 came before P82 and the 台账 and 回复单 numbered
    a notice's nodes otherwise than the notice (the plan's order), so 第3项 of the reply was
    another node than the notice's 3."""
    from openpyxl import load_workbook

    from reportgen.config import Config
    from reportgen.render.duban_words import duban_matters
    from reportgen.render.replyform_writer import write_reply_form

    plan = ["P9-M01", "P9-M02", "P10-M01", "P82-M01", "P100-M01", "P341-M01", "T2-M01", "T10-M01"]
    dues = dict.fromkeys(plan, dt.date(2024, 6, 20))
    words = {code: f"{code}的节点" for code in plan}
    kept = dict(sorted(words.items()))  # as the ledger gives them back: P10, P100, P341, P82, P9 …
    kept["X1-M01"] = "已不在任务分解中的节点"
    notice = Notice("督字〔2024〕137号", "督办通知", "2024-06", A)
    issued = {notice.doc_no: Issued(dt.date(2024, 7, 8), dt.date(2024, 7, 15), kept)}
    d = build_dubans([notice], {}, issued=issued, dues=dues)[0]
    assert d.nodes == [*plan, "X1-M01"]
    assert duban_matters(d).split("\n") == [*(words[c] for c in plan), "已不在任务分解中的节点"]
    path = write_reply_form(d, Config(), tmp_path / "回复单.xlsx", dt.datetime(2024, 7, 8, 9))
    rows = [(r[0].value, r[1].value) for r in load_workbook(path).worksheets[0].iter_rows(min_row=5)
            if isinstance(r[0].value, int)]
    assert rows == [(i, words.get(c, "已不在任务分解中的节点")) for i, c in enumerate(d.nodes, start=1)]
    # the unit's overdue nodes of a month the ledger kept no words of: the plan's order too
    month = {"2024-06": _month(**{c.replace("-", "_"): {A: OVER} for c in reversed(plan)})}
    month["2024-06"] = {c.replace("_", "-"): v for c, v in month["2024-06"].items()}
    assert build_dubans([notice], month, texts=words, dues=dues)[0].nodes == plan


def test_a_node_a_revision_deletes_ends_its_duban_with_the_reason() -> None:
    """May's plan no longer has M2 (乙's 督办 closes in May, undone: 任务分解调整); 甲's April 督办 on M1
    and M3 loses M3 in May and closes when M1 is done in June, one of its nodes deleted."""
    year = {**YEAR, "2024-05": _month(M1={A: OVER}, M4={B: ON}),
            "2024-06": _month(M1={A: LATE}, M4={B: ON})}
    texts = {"M1": "一号节点", "M2": "二号节点", "M3": "三号节点"}
    dubans = {d.doc_no: d for d in build_dubans(NOTICES[:4], year, texts=texts)}
    deleted, partly = dubans["督字〔2024〕3号"], dubans["督字〔2024〕2号"]
    assert (deleted.closed_in, deleted.ended) == ("2024-05", {"M2": DubanEnd.REMOVED})
    assert (partly.closed_in, partly.ended) == ("2024-06", {"M3": DubanEnd.REMOVED})
    assert duban_note(deleted) == "2024年5月终止督办（任务分解调整，该节点已删除）"
    assert duban_note(partly) == ("2024年6月终止督办（其中1个节点因任务分解调整已删除，其余节点已完成）；"
                                  "前次督办：督字〔2024〕1号")
    assert duban_matters(partly).split("\n") == ["一号节点", "三号节点（任务分解调整已删除）"]
    assert duban_matters(deleted) == "二号节点"  # the 备注 says why
    # on May's papers 甲's is still open (M1 is not done), and nothing is said of why yet
    may = {d.doc_no: d for d in on_papers(dubans.values(), 2024, "2024-05", dt.date(2024, 6, 8))}
    assert (may["督字〔2024〕2号"].closed, may["督字〔2024〕2号"].ended) == (False, {})


def test_only_a_duban_whose_work_was_done_is_called_and_counted_as_closed() -> None:
    """May: 甲's March 督办 is done (销号); 乙's April one on M2, deleted by May's plan, is not done:
    终止督办 with why, counted apart in the bulletin, summary.json (the 台账's words) and the run's line."""
    from reportgen.calendar import month_calendar
    from reportgen.config import Config
    from reportgen.duban import as_of
    from reportgen.model import PeriodResult
    from reportgen.render.duban_words import duban_paragraph
    from reportgen.summary import summary_dict
    from reportgen.terminal import duban_summary

    year = {**YEAR, "2024-05": _month(M1={A: LATE}, M3={A: DONE}, M4={B: ON})}
    every = as_of(build_dubans(NOTICES[:4], year, texts={"M1": "一号", "M2": "二号", "M3": "三号"}),
                  "2024-05", dt.date(2024, 6, 8))
    result = PeriodResult("2024-05", dt.date(2024, 5, 31), 2024, "", "", 0.4, dubans=list(every),
                          dates=month_calendar("2024-05", dt.date(2024, 5, 31), Config()))
    said = duban_paragraph(result, Config())
    assert "累计发出督办通知3件（其中本月0件），已销号2件，终止督办1件，督办中0件。" in said
    assert ("本月销号2件：督字〔2024〕1号（甲单位）；督字〔2024〕2号（甲单位）。"
            "本月因任务分解调整终止督办1件：督字〔2024〕3号（乙单位，任务分解调整，该节点已删除）。") in said
    assert "销号3件" not in said
    got = {d["doc_no"]: (d["state"], d["note"]) for d in summary_dict(result)["dubans"]}
    assert got["督字〔2024〕3号"] == ("终止督办", "2024年5月终止督办（任务分解调整，该节点已删除）")
    assert got["督字〔2024〕1号"] == ("已销号", "2024年5月销号")
    assert duban_summary(result).startswith("督办：本月发出 0 件，逾期未回复 0 件，本月销号 2 件，本月终止督办 1 件")
