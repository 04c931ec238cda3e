"""The workspace configuration (`reportgen.toml`): defaults that work, validated on load."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, get_type_hints

from reportgen.errors import ConfigError

CONFIG_NAME = "reportgen.toml"
# The example contact shipped in the default configuration; a real office replaces it.
SAMPLE_CONTACT = ("张明", "0352-1234567")


@dataclass
class OfficeConfig:
    """Who issues the documents and how they are numbered and addressed."""

    org_name: str = "大同经济技术开发区管理委员会"
    issuer: str = "大同经济技术开发区重点项目督查督办办公室"  # 发文机关 (full name)
    issuer_mark: str = "大同经开区重点项目督查督办办公室文件"  # 发文机关标志 (red header)
    short_name: str = "经开区督查办"  # used in 催报 text and footers
    doc_prefix: str = "同经开督办"  # 发文字号: 同经开督办〔2024〕5号
    next_doc_no: int = 1  # first free number when the ledger has none for the year
    recipients: str = "各责任单位"  # 主送
    signature: str = "大同经济技术开发区重点项目督查督办办公室"  # 落款
    cc: list[str] = field(default_factory=lambda: ["管委会主要领导", "管委会各分管领导"])  # 抄送
    printer: str = "大同经济技术开发区重点项目督查督办办公室"  # 印发机关
    contact_person: str = SAMPLE_CONTACT[0]  # whom units call about the form
    contact_phone: str = SAMPLE_CONTACT[1]

    def has_sample_contact(self) -> bool:
        """Return True while the contact is still the shipped example (it prints on every form)."""
        return self.contact_person == SAMPLE_CONTACT[0] or self.contact_phone == SAMPLE_CONTACT[1]


@dataclass
class NoticeConfig:
    """How the notices to units are numbered and laid out.

    Each prefix is its own numbering series (kinds given the same prefix share one); a
    prefix may not be the bulletin's `office.doc_prefix`, whose series the ledger keeps apart.
    """

    supervision_prefix: str = "同经开督字"  # 督办通知: 同经开督字〔2024〕3号
    reminder_prefix: str = "同经开督函"  # 提醒函
    chase_prefix: str = "同经开督函"  # 催报通知
    letter_format: bool = True  # 提醒函、催报通知用信函格式（GB/T 9704 第10.1条）；false 为文件格式

    def prefix_of(self, kind: str) -> str:
        """Return the 发文字号 prefix of a notice kind (督办通知 / 提醒函 / 催报通知)."""
        return {"督办通知": self.supervision_prefix, "提醒函": self.reminder_prefix,
                "催报通知": self.chase_prefix}[kind]


@dataclass
class FontConfig:
    """Font names written into documents (East-Asian names; Latin text follows them)."""

    body: str = "仿宋_GB2312"  # 正文 3号仿宋
    title: str = "方正小标宋简体"  # 标题 / 发文机关标志
    heading1: str = "黑体"  # 一、
    heading2: str = "楷体_GB2312"  # （一）
    number: str = "宋体"  # 页码
    table: str = "仿宋_GB2312"  # Excel body
    table_title: str = "黑体"  # Excel titles and headers


@dataclass
class PaperConfig:
    """Paper sizes for the printed outputs."""

    excel: str = "A4"  # A4 or A3, always landscape
    word: str = "A4"


@dataclass
class ScheduleConfig:
    """Dates and windows that drive statuses and deadlines."""

    due_soon_days: int = 15  # 临期: due after the issue date and within this many days of it
    report_day: int = 5  # units report by this day of the following month (next working day)
    reply_days: int = 5  # 督办通知: written reply within this many working days of the issue date
    issue_day: int = 8  # 成文日期: this day of the next month (next working day, after report_day)
    chase_days: int = 3  # 催报通知: report within this many working days of the issue date


@dataclass
class DubanConfig:
    """How a repeated 督办 is escalated (the second always cites the earlier 文号)."""

    serious_round: int = 3  # from this 督办 on the same node, the notice and bulletin state `measures`
    measures: str = "主要负责同志进行约谈，并在全区范围内通报"  # 将按规定对你单位……


@dataclass
class CheckConfig:
    """Thresholds for reading submissions."""

    max_file_mb: float = 20.0  # a larger file is refused
    max_unzipped_mb: float = 200.0  # declared uncompressed size of an .xlsx (zip bomb guard)
    max_rows: int = 5000  # rows read from one sheet
    jump_factor: float = 20.0  # a month's increase larger than factor × target looks like 万元/亿元
    schedule_tolerance: float = 0.0  # |rate − 序时进度| within this counts as "on schedule"


@dataclass
class FormsConfig:
    """The fill-in forms sent to units."""

    password: str = ""  # sheet protection password; empty protects without one


@dataclass
class TextConfig:
    """Configurable paragraphs of the bulletin."""

    requirements: list[str] = field(
        default_factory=lambda: [
            "各责任单位要对照任务分解，倒排工期、挂图作战，确保各项节点按期完成。",
            "对逾期未完成的节点，责任单位要认真分析原因，提出整改措施和完成时限，"
            "于督办通知成文后{reply_days}个工作日内书面反馈。",
            "各责任单位要于每月{report_day}日前报送上月推进情况，实际发生投资应报尽报，数据真实准确。",
        ]
    )
    # the 附件说明 of the bulletin; the first names the 汇总表, which prints it as its title
    attachments: list[str] = field(default_factory=lambda: ["{month}重点项目推进情况汇总表"])

    def attachment_titles(self, month: str) -> list[str]:
        """Return the 附件 names as listed, `{month}` replaced by the month (e.g. 2024年7月)."""
        return [a.replace("{month}", month) for a in self.attachments]


@dataclass
class UnitsConfig:
    """Other names of units, and group phrases that stand for several units."""

    aliases: dict[str, list[str]] = field(default_factory=dict)  # canonical -> other names
    groups: dict[str, list[str]] = field(
        default_factory=lambda: {
            "各产业招商服务中心": [
                "现代医药产业招商服务中心",
                "装备制造及大数据产业招商服务中心",
                "新材料新能源产业招商服务中心",
                "现代服务业招商服务中心",
                "通航及纺织产业招商服务中心",
            ]
        }
    )


@dataclass
class WebConfig:
    """`reportgen serve`: where the upload pages listen and the address printed in units' links."""

    host: str = "127.0.0.1"  # only this machine; set to 0.0.0.0 to serve the intranet
    port: int = 8765
    base_url: str = ""  # e.g. "http://10.1.2.3:8765"; empty: http://<host>:<port>


@dataclass
class Config:
    """Everything a workspace can set."""

    office: OfficeConfig = field(default_factory=OfficeConfig)
    notices: NoticeConfig = field(default_factory=NoticeConfig)
    fonts: FontConfig = field(default_factory=FontConfig)
    paper: PaperConfig = field(default_factory=PaperConfig)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    duban: DubanConfig = field(default_factory=DubanConfig)
    check: CheckConfig = field(default_factory=CheckConfig)
    forms: FormsConfig = field(default_factory=FormsConfig)
    text: TextConfig = field(default_factory=TextConfig)
    units: UnitsConfig = field(default_factory=UnitsConfig)
    web: WebConfig = field(default_factory=WebConfig)


# Keys whose shipped value names the example office (大同经开区) and prints on the papers. A workspace
# that changed some of them to its own office but not the others would sign as two offices.
SAMPLE_IDENTITY = (
    ("office", "org_name"), ("office", "issuer"), ("office", "issuer_mark"), ("office", "doc_prefix"),
    ("office", "signature"), ("office", "printer"), ("notices", "supervision_prefix"),
    ("notices", "reminder_prefix"), ("notices", "chase_prefix"),
)


def sample_identity_left(cfg: Config) -> list[str]:
    """Return the SAMPLE_IDENTITY keys (office.signature, …) still holding the example office's
    names while others were changed to the workspace's own; empty when none or all were changed."""
    shipped = Config()
    left = [f"{section}.{key}" for section, key in SAMPLE_IDENTITY
            if getattr(getattr(cfg, section), key) == getattr(getattr(shipped, section), key)]
    return left if len(left) < len(SAMPLE_IDENTITY) else []


_TYPE_WORD = {str: "文字", int: "整数", float: "数字", bool: "true/false", list: "列表", dict: "表"}


def _check_value(key: str, value: Any, expected: Any) -> Any:
    origin = getattr(expected, "__origin__", expected)
    if origin is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if origin is int and isinstance(value, bool):
        raise ConfigError(f"配置项 {key} 应为整数，实际为 {value!r}")
    if not isinstance(value, origin):
        raise ConfigError(f"配置项 {key} 应为{_TYPE_WORD.get(origin, str(origin))}，实际为 {value!r}")
    if origin is list and not all(isinstance(v, str) for v in value):
        raise ConfigError(f"配置项 {key} 应为文字列表")
    if origin is dict:
        for k, v in value.items():
            if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                raise ConfigError(f"配置项 {key}.{k} 应为单位名称列表，如 [\"甲单位\", \"乙单位\"]")
    return value


def _section(name: str, cls: type, raw: Any) -> Any:
    if not isinstance(raw, dict):
        raise ConfigError(f"配置节 [{name}] 应为表（[{name}] 下写 键 = 值）")
    hints = get_type_hints(cls)
    known = {f.name for f in fields(cls)}
    for key in raw:
        if key not in known:
            raise ConfigError(f"配置项 {name}.{key} 无法识别；可用的有：{'、'.join(sorted(known))}")
    values = {k: _check_value(f"{name}.{k}", v, hints[k]) for k, v in raw.items()}
    return cls(**values)


def _validate(cfg: Config) -> None:
    if cfg.paper.excel not in ("A4", "A3"):
        raise ConfigError(f"配置项 paper.excel 只能为 A4 或 A3，实际为 {cfg.paper.excel!r}")
    if cfg.paper.word != "A4":
        raise ConfigError("配置项 paper.word 只能为 A4（党政机关公文格式）")
    if not 0 <= cfg.schedule.due_soon_days <= 90:
        raise ConfigError("配置项 schedule.due_soon_days 应在 0 到 90 之间")
    for key in ("report_day", "issue_day"):
        if not 1 <= getattr(cfg.schedule, key) <= 28:
            raise ConfigError(f"配置项 schedule.{key} 应在 1 到 28 之间")
    for key in ("reply_days", "chase_days"):
        if not 1 <= getattr(cfg.schedule, key) <= 30:
            raise ConfigError(f"配置项 schedule.{key} 应在 1 到 30 之间（工作日）")
    if not 2 <= cfg.duban.serious_round <= 12:
        raise ConfigError("配置项 duban.serious_round 应在 2 到 12 之间（第几次督办起约谈、通报）")
    if not cfg.duban.measures.strip():
        raise ConfigError("配置项 duban.measures 不能为空（如 \"主要负责同志进行约谈，并在全区范围内通报\"）")
    if cfg.office.next_doc_no < 1:
        raise ConfigError("配置项 office.next_doc_no 应为正整数")
    if not 1 <= cfg.web.port <= 65535:
        raise ConfigError("配置项 web.port 应在 1 到 65535 之间")
    if cfg.web.base_url and not cfg.web.base_url.startswith(("http://", "https://")):
        raise ConfigError("配置项 web.base_url 应以 http:// 或 https:// 开头，如 \"http://10.1.2.3:8765\"")
    for key in ("supervision_prefix", "reminder_prefix", "chase_prefix"):
        prefix = getattr(cfg.notices, key)
        if not prefix.strip():
            raise ConfigError(f"配置项 notices.{key} 不能为空")
        if prefix == cfg.office.doc_prefix:
            raise ConfigError(
                f"配置项 notices.{key} 与 office.doc_prefix 相同（{prefix}）：通知与进度通报各有"
                "编号系列，用同一前缀会重号，请改用不同的前缀")
    if cfg.check.max_file_mb <= 0 or cfg.check.max_unzipped_mb <= 0:
        raise ConfigError("配置项 check.max_file_mb 与 check.max_unzipped_mb 应大于 0")


def load_config(path: Path) -> Config:
    """Return the configuration in `path`, defaults where a key is absent (ConfigError if bad)."""
    if not path.exists():
        return Config()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path.name} 格式有误：{exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path.name} 不是 UTF-8 编码的文本文件，请另存为 UTF-8") from exc
    hints = get_type_hints(Config)
    known = {f.name for f in fields(Config)}
    sections: dict[str, Any] = {}
    for name, value in raw.items():
        if name not in known:
            raise ConfigError(f"配置节 [{name}] 无法识别；可用的有：{'、'.join(sorted(known))}")
        sections[name] = _section(name, hints[name], value)
    cfg = Config(**sections)
    _validate(cfg)
    return cfg
