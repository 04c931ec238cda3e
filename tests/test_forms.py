"""Unit forms (报送表): every generated form read back with openpyxl."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from reportgen import formspec as fs
from reportgen.config import Config
from reportgen.model import (
    Item,
    Milestone,
    MilestoneKind,
    MilestoneReport,
    Plan,
    Prefill,
    Reported,
    Section,
    Task,
    Unit,
)

MEDICINE = "现代医药产业招商服务中心"
LAND = "规划和自然资源分局"
ECON = "经济运行与安全监管部"
EQUIP = "装备制造及大数据产业招商服务中心"
MATERIALS = "新材料新能源产业招商服务中心"
HUARUI = "华睿集团"
CENTRES = "各产业招商服务中心"
SERVICES = "现代服务业招商服务中心"
AVIATION = "通航及纺织产业招商服务中心"
CENTRE_MEMBERS = [MEDICINE, EQUIP, MATERIALS, SERVICES, AVIATION]
WHEN = dt.datetime(2024, 7, 1, 8, 0, 0)


def d(month: int, day: int) -> dt.date:
    return dt.date(2024, month, day)


def small_plan() -> Plan:
    """A plan with amount milestones, a shared milestone, a group task and a no-figure unit."""
    p01 = Item("P01", 1, Section.PROJECT, "双雁生物医药产业园一期项目", 3.0, "含设备", tasks=[
        Task("P01-0", 0, "服务保障项目顺利建设……", [MEDICINE], [MEDICINE], milestones=[
            Milestone("P01-M01", d(6, 30), "上半年至少完成投资1亿元", MilestoneKind.INVESTMENT,
                      1.0, [MEDICINE], "上半年"),
            Milestone("P01-M02", d(6, 30), "上半年完成项目入统", MilestoneKind.FILING, None,
                      [MEDICINE], "上半年"),
            Milestone("P01-M03", d(9, 30), "前三季度完成投资2亿元", MilestoneKind.INVESTMENT,
                      2.0, [MEDICINE], "前三季度"),
        ])])
    p07 = Item("P07", 7, Section.PROJECT, "海博思创储能项目", 6.0, tasks=[
        Task("P07-1", 1, "加快开展土地组卷报批工作", [LAND], [LAND], milestones=[
            Milestone("P07-M01", d(6, 20), "2024年6月20日前完成用地预审", MilestoneKind.STEP,
                      None, [LAND], "2024年6月20日前"),
            Milestone("P07-M02", d(8, 31), "8月底完成土地报批", MilestoneKind.STEP, None,
                      [LAND], "8月底"),
        ]),
        Task("P07-3", 3, "督促和帮助企业完成接入系统批复", [ECON, EQUIP], [ECON], milestones=[
            Milestone("P07-M03", d(8, 30), "2024年8月30日前完成国网省公司接入系统批复及施工图等评审",
                      MilestoneKind.STEP, None, [ECON, EQUIP], "2024年8月30日前"),
        ]),
        Task("P07-4", 4, "全年完成投资6亿元以上", [EQUIP], [EQUIP], milestones=[
            Milestone("P07-M04", d(12, 31), "全年完成投资6亿元以上", MilestoneKind.INVESTMENT,
                      6.0, [EQUIP], "全年"),
        ]),
    ])
    p09 = Item("P09", 9, Section.PROJECT, "森铭智谷入驻3个项目", 3.0, "设备", tasks=[
        Task("P09-4", 4, "督促项目方开具设备发票", [MATERIALS], [MATERIALS], milestones=[
            Milestone("P09-M01", d(9, 20), "9月20日前向统计中心提交入统资料",
                      MilestoneKind.FILING, None, [MATERIALS], "9月20日前"),
            Milestone("P09-M02", d(10, 31), "10月底前累计开具设备发票1亿元",
                      MilestoneKind.INVOICE, 1.0, [MATERIALS], "10月底前"),
            Milestone("P09-M03", d(12, 31), "12月底前累计开具设备发票3亿元",
                      MilestoneKind.INVOICE, 3.0, [MATERIALS], "12月底前"),
        ])])
    t02 = Item("T02", 2, Section.TASK, "屋顶分布式光伏需求摸底", tasks=[
        Task("T02-0", 0, "摸底屋顶分布式光伏需求", [HUARUI], [HUARUI], milestones=[
            Milestone("T02-M01", d(6, 30), "2024年6月30日前形成结论方案", MilestoneKind.STEP,
                      None, [HUARUI], "2024年6月30日前"),
        ])])
    t04 = Item("T04", 4, Section.TASK, "短平快项目摸底梳理", tasks=[
        # as the importer writes a group phrase: every member named, every member leads
        Task("T04-0", 0, "关注短平快项目", CENTRE_MEMBERS, CENTRE_MEMBERS, milestones=[
            Milestone("T04-M01", d(6, 30), "2024年6月30日前完成摸底梳理", MilestoneKind.OTHER,
                      None, CENTRE_MEMBERS, "2024年6月30日前"),
        ])])
    units = [Unit(n) for n in (MEDICINE, LAND, ECON, EQUIP, MATERIALS, HUARUI, SERVICES,
                               AVIATION)]
    return Plan(2024, "2024年重点项目推进任务分解", "v-test-1",
                [p01, p07, p09, t02, t04], units)


def build(tmp_path: Path, config: Config | None = None, prefill: Prefill | None = None,
          period: str = "2024-06", plan: Plan | None = None) -> dict[str, Path]:
    """Build every form; return unit -> path (the unit as its hidden sheet says)."""
    from openpyxl import load_workbook

    from reportgen.forms import build_forms

    paths = build_forms(plan or small_plan(), config or Config(), period, tmp_path / "forms",
                        prefill, generated_at=WHEN)
    out = {}
    for p in paths:
        out[load_workbook(p)[fs.SHEET_META]["B1"].value] = p
    return out


@pytest.fixture(scope="module")
def default_forms(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every form of June for the small plan with the default settings, built once; the tests
    using it only read the files."""
    return build(tmp_path_factory.mktemp("forms"))


def data_rows(ws) -> list[list]:
    """Return the data rows under the header until the first row without a code."""
    rows = []
    for row in ws.iter_rows(min_row=fs.FIRST_DATA_ROW, values_only=True):
        if not row[0] or str(row[0])[:1] not in "PT":
            break
        rows.append(list(row))
    return rows


def header_columns(ws, headers: dict[str, str]) -> dict[str, int]:
    texts = [c.value for c in ws[fs.HEADER_ROW]]
    return {k: texts.index(h) + 1 for k, h in headers.items()}


EXPECTED_ROWS = {
    MEDICINE: (["P01/invest"], ["P01-M02", "T04-M01"]),
    LAND: (["P07/invest"], ["P07-M01", "P07-M02"]),
    ECON: (["P07/invest"], ["P07-M03"]),
    EQUIP: (["P07/invest"], ["P07-M03", "T04-M01"]),
    MATERIALS: (["P09/invest", "P09/invoice"], ["P09-M01", "T04-M01"]),
    HUARUI: ([], ["T02-M01"]),
    SERVICES: ([], ["T04-M01"]),
    AVIATION: ([], ["T04-M01"]),
}


def test_each_unit_gets_its_rows_and_nothing_else(default_forms: dict[str, Path]) -> None:
    from openpyxl import load_workbook

    forms = default_forms
    # the group phrase gave the T04 task to every member centre, never a form of its own
    assert set(forms) == set(EXPECTED_ROWS)
    for unit, path in forms.items():
        wb = load_workbook(path)
        assert wb.sheetnames == [fs.SHEET_GUIDE, fs.SHEET_FIGURES, fs.SHEET_MILESTONES,
                                 fs.SHEET_META]
        figures, milestones = EXPECTED_ROWS[unit]
        assert [r[0] for r in data_rows(wb[fs.SHEET_FIGURES])] == figures, unit
        assert [r[0] for r in data_rows(wb[fs.SHEET_MILESTONES])] == milestones, unit
        for name in (fs.SHEET_FIGURES, fs.SHEET_MILESTONES):
            ws = wb[name]
            assert ws.cell(fs.TITLE_ROW, 1).value == f"2024年6月重点项目推进情况报送表（{unit}）"
            sub = ws.cell(fs.SUBTITLE_ROW, 1).value
            assert f"填报单位：{unit}" in sub and "报送截止日期：2024年7月5日" in sub
            assert "计量单位：亿元" in sub
        assert [c.value for c in wb[fs.SHEET_FIGURES][fs.HEADER_ROW]] == [
            *fs.FIGURE_HEADERS.values(), *fs.FIGURE_EXTRA_HEADERS.values()]
        assert [c.value for c in wb[fs.SHEET_MILESTONES][fs.HEADER_ROW]] == list(
            fs.MILESTONE_HEADERS.values())


def test_group_phrase_left_in_the_plan_gives_each_member_the_task(tmp_path: Path) -> None:
    from reportgen.forms import form_units, unit_rows

    plan = small_plan()
    t04 = plan.items[-1].tasks[0]
    t04.units = t04.lead_units = t04.milestones[0].units = [CENTRES]
    config = Config()
    assert CENTRES not in form_units(plan, config)
    for member in CENTRE_MEMBERS:
        assert "T04-M01" in [r.milestone.code for r in unit_rows(plan, config, member).milestones]
    # an alias is the same unit
    config.units.aliases = {LAND: ["规划分局"]}
    task = plan.items[1].tasks[0]
    task.units = task.lead_units = ["规划分局"]
    for m in task.milestones:
        m.units = ["规划分局"]
    assert [r.milestone.code for r in unit_rows(plan, config, LAND).milestones] == [
        "P07-M01", "P07-M02"]


@pytest.mark.slow
def test_figure_rows_show_targets_and_what_they_are_judged_against(default_forms: dict[str, Path]) -> None:
    from openpyxl import load_workbook

    ws = load_workbook(default_forms[MATERIALS])[fs.SHEET_FIGURES]
    col = header_columns(ws, {**fs.FIGURE_HEADERS, **fs.FIGURE_EXTRA_HEADERS})
    invest, invoice = ([v.replace("\n", "") if isinstance(v, str) else v for v in row]  # lines joined
                       for row in data_rows(ws))
    assert invest[col["metric"] - 1] == "完成投资" and invest[col["target"] - 1] == 3.0
    assert invoice[col["metric"] - 1] == "设备开票" and invoice[col["target"] - 1] == 3.0
    assert "全年目标：3亿元以上（设备）" in invest[col["requirement"] - 1]
    assert ("2024年10月31日前累计1亿元；2024年12月31日前累计3亿元"
            in invoice[col["requirement"] - 1])
    # a supporting unit is told whose figure counts
    ws = load_workbook(default_forms[LAND])[fs.SHEET_FIGURES]
    req = data_rows(ws)[0][col["requirement"] - 1].replace("\n", "")
    assert f"以{EQUIP}填报数为准" in req and "2024年12月31日前累计6亿元" in req


def test_milestone_rows_carry_plan_text_due_date_and_units(default_forms: dict[str, Path]) -> None:
    from openpyxl import load_workbook

    forms = default_forms
    ws = load_workbook(forms[ECON])[fs.SHEET_MILESTONES]
    col = header_columns(ws, fs.MILESTONE_HEADERS)
    (row,) = data_rows(ws)
    flat = [str(v).replace("\n", "") for v in row]  # the plan's text, broken in lines as it prints
    assert flat[col["item"] - 1] == "海博思创储能项目"
    assert flat[col["text"] - 1].startswith("2024年8月30日前完成国网省公司接入系统批复")
    assert flat[col["due"] - 1] == "2024年8月30日"
    assert flat[col["units"] - 1] == f"{ECON}（牵头）、{EQUIP}"
    ws = load_workbook(forms[MEDICINE])[fs.SHEET_MILESTONES]
    p01, t04 = data_rows(ws)
    assert p01[col["due"] - 1].split("\n")[-1] == "（上半年）"
    assert p01[col["due"] - 1].replace("\n", "") == "2024年6月30日（上半年）"
    assert t04[col["units"] - 1] == CENTRES
    # amount milestones are not asked row by row
    assert "P01-M01" not in [r[0] for r in data_rows(ws)]


def test_plan_cells_locked_input_cells_open_and_marked(default_forms: dict[str, Path]) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(default_forms[MATERIALS])
    for name, headers, inputs in (
        (fs.SHEET_FIGURES, {**fs.FIGURE_HEADERS, **fs.FIGURE_EXTRA_HEADERS}, fs.FIGURE_INPUTS),
        (fs.SHEET_MILESTONES, fs.MILESTONE_HEADERS, fs.MILESTONE_INPUTS),
    ):
        ws = wb[name]
        assert ws.protection.sheet is True
        assert ws.protection.password is None
        col = header_columns(ws, headers)
        for r in range(fs.FIRST_DATA_ROW, fs.FIRST_DATA_ROW + len(data_rows(ws))):
            for key, c in col.items():
                cell = ws.cell(r, c)
                assert cell.border.left.style == "thin"
                if key in inputs:
                    assert cell.protection.locked is False, (name, key)
                    assert cell.fill.fgColor.rgb.endswith("FFF2CC")
                else:
                    assert cell.protection.locked is True, (name, key)
                    assert cell.fill.fill_type is None
        for r in (fs.TITLE_ROW, fs.SUBTITLE_ROW, fs.HEADER_ROW):
            assert all(c.protection.locked for c in ws[r])
    assert wb[fs.SHEET_GUIDE].protection.sheet and wb[fs.SHEET_META].protection.sheet
    assert wb.security.lockStructure


@pytest.mark.slow
def test_password_from_config_protects_sheets(tmp_path: Path) -> None:
    from openpyxl import load_workbook
    from openpyxl.utils.protection import hash_password

    config = Config()
    config.forms.password = "dc2024"
    wb = load_workbook(build(tmp_path, config)[LAND])
    for ws in wb.worksheets:
        assert ws.protection.sheet and ws.protection.password == hash_password("dc2024")


def _validations(ws) -> list:
    return list(ws.data_validations.dataValidation)


def _validation_for(ws, coord: str):
    found = [dv for dv in _validations(ws) if coord in dv.sqref]
    assert len(found) == 1, coord
    return found[0]


def test_inputs_validated_with_chinese_prompts(default_forms: dict[str, Path]) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(default_forms[MATERIALS])
    ws = wb[fs.SHEET_FIGURES]
    col = header_columns(ws, fs.FIGURE_HEADERS)
    for r in (4, 5):
        dv = _validation_for(ws, ws.cell(r, col["value"]).coordinate)
        assert (dv.type, dv.operator, dv.formula1) == ("decimal", "greaterThanOrEqual", "0")
        assert dv.showErrorMessage and dv.showInputMessage and dv.errorStyle == "stop"
        assert "亿元" in dv.prompt and "累计" in dv.prompt and "不小于0" in dv.error
    ws = wb[fs.SHEET_MILESTONES]
    col = header_columns(ws, fs.MILESTONE_HEADERS)
    status = _validation_for(ws, ws.cell(4, col["status"]).coordinate)
    assert status.type == "list"
    assert status.formula1 == '"已完成,推进中,未启动,受阻"'
    assert status.showDropDown in (False, None)  # openpyxl: False means the arrow is shown
    assert "下拉" in status.prompt and "只能" in status.error
    date = _validation_for(ws, ws.cell(5, col["completed_on"]).coordinate)
    assert date.type == "date" and date.operator == "between"
    assert int(date.formula1) == (dt.date(2023, 1, 1) - dt.date(1899, 12, 30)).days
    assert "2024-6-15" in date.prompt and "日期" in date.error
    assert ws.cell(5, col["completed_on"]).number_format == 'yyyy"年"m"月"d"日"'
    for key in ("progress", "problems", "next_steps"):
        dv = _validation_for(ws, ws.cell(4, col[key]).coordinate)
        assert dv.type is None and dv.prompt and dv.showInputMessage
    # plan cells carry no validation
    assert not [dv for dv in _validations(ws) if ws.cell(4, col["text"]).coordinate in dv.sqref]


def test_footer_block_below_the_milestone_table(default_forms: dict[str, Path]) -> None:
    from openpyxl import load_workbook

    ws = load_workbook(default_forms[LAND])[fs.SHEET_MILESTONES]
    last_data = fs.FIRST_DATA_ROW + 1
    found = {}
    for row in ws.iter_rows(min_row=last_data + 1):
        for cell in row:
            if cell.value in fs.FOOTER_LABELS:
                found[cell.value] = cell
    assert set(found) == set(fs.FOOTER_LABELS)
    for label, cell in found.items():
        box = ws.cell(cell.row, cell.column + 1)
        assert cell.row > last_data + 1  # a blank row separates the footer from the table
        assert box.value is None and box.protection.locked is False, label
        assert box.fill.fgColor.rgb.endswith("FFF2CC")
    date_box = ws.cell(found["填报日期"].row, found["填报日期"].column + 1)
    fill_date = _validation_for(ws, date_box.coordinate)
    assert fill_date.type == "date" and "报送本表的日期" in fill_date.prompt
    phone_box = ws.cell(found["联系电话"].row, found["联系电话"].column + 1)
    assert _validation_for(ws, phone_box.coordinate).prompt
    # below it, room to sign and seal, printed too
    seal = next(c for row in ws.iter_rows(min_row=found["填报日期"].row + 1) for c in row
                if c.value == "单位（盖章）")
    assert ws.row_dimensions[seal.row].height >= 110  # a 42 mm seal fits
    assert f"$J${seal.row}" in str(ws.print_area)
    # the row codes are hidden: the unit reads the node's own words
    assert ws.column_dimensions["A"].hidden and ws["A3"].value == fs.MILESTONE_HEADERS["code"]


def test_print_setup(default_forms: dict[str, Path]) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(default_forms[MEDICINE])
    for name in (fs.SHEET_FIGURES, fs.SHEET_MILESTONES):
        ws = wb[name]
        ps = ws.page_setup
        assert ps.orientation == "landscape" and int(ps.paperSize) == 9  # A4
        assert ps.fitToWidth == 1 and ps.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == "$1:$3"
        assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
        assert ws.freeze_panes == "A4"
        assert ws.cell(fs.TITLE_ROW, 1).font.name == Config().fonts.table_title
        assert ws.cell(fs.FIRST_DATA_ROW, 2).font.name == Config().fonts.table
        assert ws.cell(fs.FIRST_DATA_ROW, 2).alignment.wrap_text
        assert ws.row_dimensions[fs.FIRST_DATA_ROW].height >= 36
    guide = wb[fs.SHEET_GUIDE]
    assert guide.page_setup.orientation == "portrait" and guide.page_setup.fitToWidth == 1


@pytest.mark.slow
def test_guide_sheet_tells_what_how_when_and_whom(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    config = Config()
    config.office.contact_person = "李华"
    config.office.contact_phone = "0352-7654321"
    config.schedule.report_day = 8
    ws = load_workbook(build(tmp_path, config)[LAND])[fs.SHEET_GUIDE]
    # each text is written in the lines it prints: read as one line
    text = "\n".join(str(c.value).replace("\n", "") for row in ws.iter_rows() for c in row if c.value)
    assert "2024年6月重点项目推进情况报送表（规划和自然资源分局）" in text
    assert "2024年7月8日前" in text
    assert "黄色" in text and "已完成、推进中、未启动、受阻" in text
    assert "2024-6-15" in text and "李华" in text and "0352-7654321" in text


def test_hidden_meta_sheet(default_forms: dict[str, Path]) -> None:
    from openpyxl import load_workbook

    for unit, path in default_forms.items():
        wb = load_workbook(path)
        meta = wb[fs.SHEET_META]
        assert meta.sheet_state == "hidden"
        keys = {meta.cell(i, 1).value: meta.cell(i, 2).value
                for i in range(1, len(fs.META_KEYS) + 1)}
        assert keys == {"unit": unit, "period": "2024-06", "plan_version": "v-test-1",
                        "plan_year": "2024", "form_version": fs.FORM_VERSION,
                        "generated_at": "2024-07-01T08:00:00", "prefill": None}  # nothing pre-filled
        header_row = len(fs.META_KEYS) + 2
        assert tuple(c.value for c in meta[header_row]) == fs.META_ROWS_HEADER
        table = [tuple(c.value for c in row) for row in meta.iter_rows(min_row=header_row + 1)]
        expected = []
        for sheet in (fs.SHEET_FIGURES, fs.SHEET_MILESTONES):
            for i, r in enumerate(data_rows(wb[sheet])):
                expected.append((sheet, str(fs.FIRST_DATA_ROW + i), r[0]))
        assert table == expected


@pytest.mark.slow  # about 0.6-0.9 s: keeps the default lane under a minute
def test_prefill_fills_last_month_into_previous_and_inputs(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    prefill = Prefill(
        period="2024-06",
        figures={"P07/invest": 0.35, "P01/invest": 1.2},
        reports={
            "P07-M01": MilestoneReport("P07-M01", Reported.DONE, dt.date(2024, 6, 18),
                                       "已完成用地预审", "", ""),
            "P07-M02": MilestoneReport("P07-M02", Reported.BLOCKED, None, "组卷中",
                                       "=需市局协调 & <加快>", "7月上报"),
            "T04-M01": MilestoneReport("T04-M01", Reported.ONGOING, None, "牵头单位的话"),
        },
        unit_reports={EQUIP: {"T04-M01": MilestoneReport("T04-M01", Reported.DONE,
                                                        dt.date(2024, 6, 28), "梳理5个项目")}},
    )
    forms = build(tmp_path, prefill=prefill, period="2024-07")
    wb = load_workbook(forms[LAND])
    ws = wb[fs.SHEET_FIGURES]
    col = header_columns(ws, fs.FIGURE_HEADERS)
    (row,) = data_rows(ws)
    assert row[col["previous"] - 1] == 0.35 and row[col["value"] - 1] is None
    assert ws.cell(4, col["previous"]).protection.locked is True
    ws = wb[fs.SHEET_MILESTONES]
    col = header_columns(ws, fs.MILESTONE_HEADERS)
    m01, m02 = data_rows(ws)
    assert m01[col["status"] - 1] == "已完成"
    assert m01[col["completed_on"] - 1] == dt.datetime(2024, 6, 18)
    assert m01[col["progress"] - 1] == "已完成用地预审"
    assert m02[col["status"] - 1] == "受阻" and m02[col["completed_on"] - 1] is None
    # text that looks like a formula stays text
    assert m02[col["problems"] - 1] == "=需市局协调 & <加快>"
    assert ws.cell(5, col["problems"]).data_type == "s"
    assert "2024年6月报送的内容" in "".join(
        str(c.value).replace("\n", "") for row in wb[fs.SHEET_GUIDE].iter_rows() for c in row if c.value)
    # a group member sees its own answer, not the lead's
    ws = load_workbook(forms[EQUIP])[fs.SHEET_MILESTONES]
    t04 = data_rows(ws)[1]
    assert t04[col["status"] - 1] == "已完成" and t04[col["progress"] - 1] == "梳理5个项目"
    ws = load_workbook(forms[MATERIALS])[fs.SHEET_MILESTONES]
    assert data_rows(ws)[1][col["progress"] - 1] == "牵头单位的话"


def test_without_prefill_inputs_are_empty(default_forms: dict[str, Path]) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(default_forms[LAND])
    ws = wb[fs.SHEET_MILESTONES]
    col = header_columns(ws, fs.MILESTONE_HEADERS)
    for row in data_rows(ws):
        assert all(row[col[k] - 1] is None for k in fs.MILESTONE_INPUTS)
    assert "上月报送的内容" not in "".join(
        str(c.value).replace("\n", "") for row in wb[fs.SHEET_GUIDE].iter_rows() for c in row if c.value)


def test_unit_without_figures_is_told_so(default_forms: dict[str, Path]) -> None:
    from openpyxl import load_workbook

    ws = load_workbook(default_forms[HUARUI])[fs.SHEET_FIGURES]
    assert data_rows(ws) == []
    assert "无需填报投资数据" in ws.cell(fs.FIRST_DATA_ROW + 1, 1).value


@pytest.mark.parametrize(("period", "deadline"), [("2024-06", dt.date(2024, 7, 5)),
                                                  ("2024-12", dt.date(2025, 1, 6)),  # 1-5 is a Sunday
                                                  ("2024-09", dt.date(2024, 10, 8))])  # 国庆
def test_deadline_is_report_day_of_next_month(period: str, deadline: dt.date) -> None:
    from reportgen.forms import form_title, report_deadline

    assert report_deadline(period, Config()) == deadline
    assert form_title(period, "甲") == f"{period[:4]}年{int(period[5:])}月重点项目推进情况报送表（甲）"


@pytest.mark.slow  # about 0.6-0.9 s: keeps the default lane under a minute
def test_file_names_safe_and_distinct(tmp_path: Path) -> None:
    plan = small_plan()
    plan.items[3].tasks[0].units = ["甲/乙:丙", "甲?乙*丙"]
    plan.items[3].tasks[0].milestones[0].units = ["甲/乙:丙", "甲?乙*丙"]
    forms = build(tmp_path, plan=plan)
    assert forms["甲/乙:丙"].name == "甲_乙_丙.xlsx"
    assert forms["甲?乙*丙"].name == "甲_乙_丙_2.xlsx"


def test_output_is_deterministic(tmp_path: Path) -> None:
    from reportgen.forms import write_form

    a = write_form(small_plan(), Config(), "2024-06", LAND, tmp_path / "a.xlsx",
                   generated_at=WHEN)
    b = write_form(small_plan(), Config(), "2024-06", LAND, tmp_path / "b.xlsx",
                   generated_at=WHEN)
    assert a.read_bytes() == b.read_bytes()
    from openpyxl import load_workbook

    props = load_workbook(a).properties
    assert props.created == WHEN and props.modified == WHEN


@pytest.mark.slow  # about 0.6-0.9 s: keeps the default lane under a minute
def test_forms_command_writes_one_form_per_unit(workspace) -> None:
    from click.testing import CliRunner
    from openpyxl import load_workbook

    from reportgen.cli import main
    from reportgen.plan.master_writer import write_plan_workbook

    write_plan_workbook(small_plan(), workspace.plan_dir / "2024年重点项目推进任务分解.xlsx")
    result = CliRunner().invoke(main, ["forms", "--period", "2024-6", "-w", str(workspace.root)])
    assert result.exit_code == 0, result.output
    folder = workspace.root / "output" / "2024-06" / "报送表"
    assert f"已生成 {len(EXPECTED_ROWS)} 份报送表（2024-06，报送截止日期 2024年7月5日）" in (
        result.output)
    assert "不是本次生成的" not in result.output
    assert sorted(p.stem for p in folder.glob("*.xlsx")) == sorted(EXPECTED_ROWS)
    wb = load_workbook(folder / f"{LAND}.xlsx")
    assert [r[0] for r in data_rows(wb[fs.SHEET_MILESTONES])] == EXPECTED_ROWS[LAND][1]
    # a form left from an earlier plan is pointed out, not silently sent along
    (folder / "已撤销单位.xlsx").write_bytes(b"old")
    again = CliRunner().invoke(main, ["forms", "-p", "2024-06", "-w", str(workspace.root)])
    assert again.exit_code == 0 and "另有 1 个文件不是本次生成的（已撤销单位.xlsx）" in again.output


def test_forms_command_without_master_workbook_fails_in_chinese(workspace) -> None:
    from click.testing import CliRunner

    from reportgen.cli import main

    result = CliRunner().invoke(main, ["forms", "--period", "2024-06", "-w", str(workspace.root)])
    assert result.exit_code == 1
    assert "plan import" in result.output and "总表" in result.output
    bad = CliRunner().invoke(main, ["forms", "--period", "2024-13", "-w", str(workspace.root)])
    assert bad.exit_code == 2 and "不是有效的月份" in bad.output


@pytest.mark.slow
def test_example_plan_every_milestone_and_figure_lands_in_the_right_forms(tmp_path: Path) -> None:
    """On the example master workbook: each row in the forms of exactly the units it names."""
    from openpyxl import load_workbook

    from reportgen.config import load_config
    from reportgen.forms import build_forms
    from reportgen.plan.workbook import load_plan
    from reportgen.workspace import open_workspace

    ws = open_workspace(Path(__file__).resolve().parent.parent)
    config = load_config(ws.root / "reportgen.toml")
    plan = load_plan(ws.master_workbook(), config)
    paths = build_forms(plan, config, "2024-06", tmp_path, generated_at=WHEN)
    seen_ms: dict[str, set[str]] = {}
    seen_fig: dict[str, set[str]] = {}
    for path in paths:
        wb = load_workbook(path)
        unit = wb[fs.SHEET_META]["B1"].value
        assert path.name == f"{unit}.xlsx"
        for r in data_rows(wb[fs.SHEET_MILESTONES]):
            seen_ms.setdefault(r[0], set()).add(unit)
        for r in data_rows(wb[fs.SHEET_FIGURES]):
            seen_fig.setdefault(r[0], set()).add(unit)
    want_ms = {m.code: set(t.units) for it in plan.items for t in it.tasks for m in t.milestones
               if m.metric is None}
    assert seen_ms == want_ms
    want_fig = {f"{it.code}/{metric.value}": set(it.units) for it in plan.items
                for metric in it.metrics}
    assert seen_fig == want_fig
    # the group task reached all five centres
    assert len(seen_ms["T04-M01"]) == 5
    assert len(paths) == len({u for units in want_ms.values() for u in units}
                             | {u for units in want_fig.values() for u in units})


LO_LINE_PT = 15.9  # LibreOffice sets 11-pt Chinese text in a cell 15.9 pt apart (measured on its PDF)


def test_a_row_is_as_tall_as_its_most_wrapped_cell_prints(tmp_path: Path) -> None:
    # city audit (PDF at 110 dpi): a 责任单位 of three units printed 7 of its 8 lines, its first and
    # last cut by the row; 考核节点：2024年6月30日前累计2亿元 wrapped (its digits are wider than half a
    # character) and the row, sized for 3 lines, cut its 4th
    from openpyxl import load_workbook

    from reportgen.forms import write_form

    units = ["浑源县发展和改革局", "御东新区发展和改革局", "云冈区住房和城乡建设局"]
    node = Milestone("P01-M02", d(6, 20), "6月中旬完成环评批复", MilestoneKind.STEP, None, units, "6月中旬")
    money = Milestone("P01-M01", d(6, 30), "2024年6月30日前累计完成投资2亿元", MilestoneKind.INVESTMENT, 2.0,
                      units[1:2], "2024年6月30日前")
    plan = Plan(2024, "2024年重点项目推进任务分解", "v-wrap", [
        Item("P01", 1, Section.PROJECT, "西韩岭文旅综合体项目（38期）", 3.99, tasks=[
            Task("P01-0", 0, "推进", units, units[:1], milestones=[money, node])])], [Unit(u) for u in units])
    wb = load_workbook(write_form(plan, Config(), "2024-06", units[1], tmp_path / "f.xlsx", generated_at=WHEN))
    nodes = wb[fs.SHEET_MILESTONES]
    row = next(r for r in range(1, nodes.max_row + 1) if nodes.cell(r, 1).value == "P01-M02")
    shared = next(c.value for c in nodes[row] if isinstance(c.value, str) and c.value.startswith("浑源县"))
    # written in the lines it prints, by the Chinese rules: three units in 4 lines of the 责任单位
    # column (20 units, 9 characters a line), not 8 of 5 characters (7 pages of 38 at city scale)
    assert shared.replace("\n", "") == "浑源县发展和改革局（牵头）、御东新区发展和改革局、云冈区住房和城乡建设局"
    assert shared.split("\n") == ["浑源县发展和改革局", "（牵头）、御东新区", "发展和改革局、云冈",
                                  "区住房和城乡建设局"]  # （牵头） whole, after the name it marks
    assert nodes.row_dimensions[row].height >= 4 * LO_LINE_PT
    item = next(c.value for c in nodes[row] if isinstance(c.value, str) and c.value.startswith("西韩岭"))
    assert item == "西韩岭文旅综合体\n项目（38期）"  # never a line of a lone ）
    figures = wb[fs.SHEET_FIGURES]
    row = next(r for r in range(1, figures.max_row + 1) if figures.cell(r, 1).value == "P01/invest")
    requirement = figures.cell(row, figures.max_column).value
    assert "考核节点：2024年6月30日前累计2亿元" in requirement.split("\n")  # one line of 考核要求 (52 units)
    assert figures.row_dimensions[row].height >= (requirement.count("\n") + 1) * LO_LINE_PT


def test_a_title_too_long_for_a_line_puts_the_unit_on_its_own(tmp_path: Path) -> None:
    # 填报说明 is A4 portrait: LibreOffice wrapped a long unit's title with its ） alone on a line
    from openpyxl import load_workbook

    from reportgen.forms import write_form

    unit = EQUIP
    wb = load_workbook(write_form(small_plan(), Config(), "2024-06", unit, tmp_path / "f.xlsx",
                                  generated_at=WHEN))
    guide = wb[fs.SHEET_GUIDE]
    assert guide["A1"].value == f"2024年6月重点项目推进情况报送表\n（{unit}）"
    assert guide.row_dimensions[1].height >= 2 * 16 * 1.45  # two lines of the 16 pt title
    # the landscape sheets hold it on one line
    assert wb[fs.SHEET_MILESTONES]["A1"].value == f"2024年6月重点项目推进情况报送表（{unit}）"


@pytest.mark.slow  # reads every default form (~0.7 s)
def test_plan_text_and_guide_are_written_in_lines_that_fit_and_start_with_no_closing_mark(
        default_forms: dict[str, Path]) -> None:
    from openpyxl import load_workbook

    from reportgen.forms import FIGURE_WIDTHS, GUIDE_WIDTH, MILESTONE_WIDTHS
    from reportgen.textlines import CELL_PAD_PT, NO_LINE_START, UNIT_PT, ems

    seen = 0
    for path in default_forms.values():
        wb = load_workbook(path)
        guide = [str(r[1]).split("\n") for r in wb[fs.SHEET_GUIDE].iter_rows(min_row=3, values_only=True)]
        assert all(11 * ems(line) <= GUIDE_WIDTH * UNIT_PT - CELL_PAD_PT for lines in guide for line in lines)
        assert not any(line[:1] in NO_LINE_START for lines in guide for line in lines)
        seen += sum(len(lines) > 1 for lines in guide)
        for sheet, widths, keys in ((fs.SHEET_FIGURES, FIGURE_WIDTHS, ("name", "requirement")),
                                    (fs.SHEET_MILESTONES, MILESTONE_WIDTHS, ("item", "text", "due", "units"))):
            ws = wb[sheet]
            col = header_columns(ws, {**fs.FIGURE_HEADERS, **fs.FIGURE_EXTRA_HEADERS}
                                 if sheet == fs.SHEET_FIGURES else fs.MILESTONE_HEADERS)
            for row in data_rows(ws):
                for k in keys:
                    lines = str(row[col[k] - 1]).split("\n")
                    seen += len(lines) > 1
                    assert all(11 * ems(line) <= widths[k] * UNIT_PT - CELL_PAD_PT for line in lines), lines
                    assert not any(line[:1] in NO_LINE_START for line in lines), lines
    assert seen > 10
