"""The console's words for what is wrong with a draft: the directive file's fields by their Vietnamese names, and
the parser's problems (written in English for the command line) said in Vietnamese; the importer's are in
cascade.console.import_wording.

A message without a rule here is kept as the parser wrote it, rather than lost; the field it is about is still
named in Vietnamese beside it."""

from __future__ import annotations

import re

from cascade.console.import_wording import IMPORT_RULES, Rule, unknown_name, unknown_name_message

# Each field of the directive file (cascade/directives/directivefile.py, reportplan.py) as a clerk names it.
FIELD_LABELS: dict[str, str] = {
    "number": "Số, ký hiệu",
    "type": "Loại văn bản",
    "issuer": "Đơn vị ban hành",
    "issued_on": "Ngày ban hành",
    "place": "Địa danh",
    "summary": "Trích yếu",
    "signer": "Người ký",
    "report_due": "Hạn báo cáo",
    "recipients": "Nơi nhận",
    "tasks": "Nhiệm vụ",
    "body": "Nội dung",
    "basis": "Văn bản căn cứ",
    "basis_issued_on": "Ngày của văn bản căn cứ",
    "basis_issuer": "Cơ quan ban hành văn bản căn cứ",
    "report_to": "Đơn vị nhận báo cáo",
    "urgency": "Độ khẩn",
    "cascade_mode": "Cách triển khai xuống cấp dưới",
    "lead_days": "Số ngày làm việc dành cho cấp dưới tổng hợp",
    "archive": "Nơi lưu",
    "printed": "Nơi nhận chỉ in trên văn bản",
    "original": "Bản gốc có chữ ký",
    "indicators": "Chỉ tiêu báo cáo",
    "report_schedule": "Kỳ báo cáo",
    "escalation": "Nhắc việc",
    "follow_up": "Cán bộ theo dõi",
    "file": "Tệp tải lên",
    "org": "Cây tổ chức",
}


def field_label(name: str) -> str:
    return FIELD_LABELS.get(name, name)


def _label(m: re.Match[str]) -> str:
    return field_label(m["key"])


RULES: list[Rule] = [
    (re.compile(r"^missing required field `(?P<key>\w+)`$"), lambda m: f"Thiếu {_label(m).lower()}."),
    (
        re.compile(r"^`(?P<key>\w+)` is not a date in YYYY-MM-DD form: (?P<v>.*)$"),
        lambda m: f"{_label(m)} không phải là một ngày hợp lệ: {m['v']}.",
    ),
    (re.compile(r"^`(?P<key>\w+)` must be text$"), lambda m: f"{_label(m)} phải là chữ."),
    (
        re.compile(r"^`(?P<key>\w+)` (?P<v>.+) is not a number and symbol such as .*$"),
        lambda m: f"{_label(m)} {m['v']} không đúng dạng số và ký hiệu văn bản (ví dụ 252/KH-LĐLĐ, 31-KH/TU).",
    ),
    (
        re.compile(r"^report_due (?P<a>\S+) is before issued_on (?P<b>\S+)$"),
        lambda m: f"Hạn báo cáo ({m['a']}) trước ngày ban hành ({m['b']}).",
    ),
    (re.compile(r"^`signer` needs .*$"), lambda m: "Người ký cần có chức vụ và họ tên."),
    (
        re.compile(r"^`(?P<key>\w+)` must be one of (?P<v>.*)$"),
        lambda m: f"{_label(m)} phải là một trong các giá trị: {m['v']}.",
    ),
    (
        re.compile(r"^`lead_days` must be .*$"),
        lambda m: "Số ngày làm việc dành cho cấp dưới tổng hợp phải là số nguyên từ 0 đến 60.",
    ),
    (re.compile(r"^`recipients` must be a non-empty list.*$"), lambda m: "Danh sách nơi nhận trống hoặc sai dạng."),
    (re.compile(r"^each recipient needs .*$"), lambda m: "Mỗi nơi nhận cần có đơn vị và vai trò."),
    (
        re.compile(r"^role (?P<r>.*) of (?P<c>\S+) must be one of .*$"),
        lambda m: f"Vai trò {m['r']} của đơn vị {m['c']} không hợp lệ (thực hiện, phối hợp, để biết hoặc để báo cáo).",
    ),
    (re.compile(r"^unit (?P<c>\S+) is listed twice$"), lambda m: f"Đơn vị {m['c']} có hai lần trong nơi nhận."),
    (
        re.compile(r"^mode (?P<v>.*) of (?P<c>\S+) must be forward or author$"),
        lambda m: f"Cách triển khai {m['v']} của đơn vị {m['c']} không hợp lệ.",
    ),
    (re.compile(r"^`tasks` must be a list.*$"), lambda m: "Danh sách nhiệm vụ sai dạng."),
    (re.compile(r"^each task needs `text`$"), lambda m: "Mỗi nhiệm vụ cần có nội dung."),
    (re.compile(r"^each task needs `to`.*$"), lambda m: "Mỗi nhiệm vụ cần nêu đơn vị thực hiện."),
    (
        re.compile(r"^indicator '(?P<c>[^']+)': rollup (?P<v>.*) must be sum, mean or none$"),
        lambda m: (
            f"Chỉ tiêu {m['c']}: cách tổng hợp {m['v']} không hợp lệ (sum: cộng dồn, mean: bình quân các "
            "đơn vị đã báo cáo, none: không cộng, báo cáo theo từng đơn vị)."
        ),
    ),
    (re.compile(r"^not valid YAML: (?P<v>.*)$"), lambda m: f"Tệp không đúng cú pháp YAML ({m['v']})."),
    (
        re.compile(r"^expected a mapping of directive fields.*$"),
        lambda m: "Tệp không phải là một văn bản (cần các trường số, ký hiệu, trích yếu, nơi nhận…).",
    ),
    (re.compile(r"^the file is not UTF-8 text.*$"), lambda m: "Tệp không phải văn bản UTF-8."),
    (
        re.compile(r"^`printed` must be a list of lines of text.*$"),
        lambda m: "Nơi nhận chỉ in trên văn bản phải là danh sách các dòng chữ.",
    ),
]

__all__ = ["FIELD_LABELS", "field_label", "in_vietnamese", "unknown_name", "unknown_name_message"]


def in_vietnamese(message: str) -> str:
    """The parser's or importer's message in Vietnamese (as it was when no rule knows it)."""
    text = " ".join(message.split())
    for pattern, say in [*RULES, *IMPORT_RULES]:
        found = pattern.match(text)
        if found:
            return say(found)
    return text
