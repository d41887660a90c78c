"""The importer's problems (cascade/directives/docimport, written in English for the command line) said in
Vietnamese, for the console's draft page: one rule for each message the importer writes, the document's own
words kept in quotes. cascade.console.wording tries these after the directive file's own rules.

Options of the command line (--map, --issuer, --report-due) are not named: on the page, the clerk corrects the
field beside the message."""

from __future__ import annotations

import re
from collections.abc import Callable

Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]
NUMBER_EXAMPLE = "cần dạng “Số: 252/KH-LĐLĐ” hoặc “Số 31-KH/TU”"
DATE_EXAMPLE = "cần dạng “Lai Châu, ngày 20 tháng 5 năm 2021”"

# The importer's "a name matches no unit" (cascade/directives/docimport/resolve.py `unknown`): the name is read
# back out of it, for the nearest names to be looked up afresh.
UNKNOWN_NAME = re.compile(r"^(?:group )?'(?P<name>[^']+)' (?:matches no unit of the org tree|is no unit under \S+)")
WHERE = re.compile(r"\((?P<where>Kính gửi|Nơi nhận)\)\s*$")


def unknown_name(message: str) -> str | None:
    """The name of a unit the importer could not find in the tree, or None when the message says otherwise."""
    found = UNKNOWN_NAME.match(message)
    return found["name"] if found else None


def unknown_name_message(name: str, message: str) -> str:
    where = WHERE.search(message)
    part = f" (phần “{where['where']}”)" if where else ""
    return f"Không tìm thấy đơn vị “{name}”{part} trong cây tổ chức."


def _where(m: re.Match[str]) -> str:
    """ "(phần “Nơi nhận”)" when the message ends with the list it is about."""
    where = WHERE.search(m.string)
    return f" (phần “{where['where']}”)" if where else ""


_RULES: list[tuple[str, Callable[[re.Match[str]], str]]] = [
    # reading the file (text.py, pdf.py)
    (r"not (?:UTF-8|UTF-8-SIG|UTF-16) text .*",
     lambda m: "Tệp không phải văn bản chữ UTF-8 hay Unicode (UTF-16): hãy lưu lại dưới dạng văn bản UTF-8."),
    (r"(?P<f>.+) is empty: it has no text to import", lambda m: f"Tệp {m['f']} trống, không có chữ nào để đọc."),
    (r"(?P<f>.+) is not a readable \.docx.*",
     lambda m: f"Tệp {m['f']} không đọc được như một tệp Word (.docx): tệp bị hỏng hoặc không phải tệp Word."),
    (r"(?P<f>.+) is not a PDF .*",
     lambda m: f"Tệp {m['f']} không phải tệp PDF (nội dung thuộc loại khác): hãy kiểm tra phần mở rộng của tệp."),
    (r"(?P<f>.+) is not a readable \.pdf.*", lambda m: f"Tệp PDF {m['f']} bị hỏng, không đọc được."),
    (r"(?P<f>.+) has no text layer.*",
     lambda m: f"Tệp {m['f']} là bản quét (ảnh từng trang), không có lớp chữ: hãy nhận dạng chữ (OCR) rồi tải lên,"
     " hoặc tải lên tệp .docx hay văn bản đã dùng để in."),
    (r"\.doc \(Word 97-2003\) is not supported.*",
     lambda m: "Không đọc được tệp .doc (Word 97-2003): hãy lưu lại thành .docx, .pdf hoặc văn bản .txt."),
    (r"(?P<f>.+): a (?P<s>\.\S+) file is not a type the importer reads.*",
     lambda m: f"Tệp {m['f']}: hệ thống không đọc được loại tệp {m['s']}; hãy lưu lại thành .docx, .pdf, .txt"
     " hoặc .md."),
    (r"cannot read (?P<f>.+?): .*", lambda m: f"Không mở được tệp {m['f']}."),
    # the heading (parse.py, basis.py)
    (r"no 'Số: …' line in the heading \(lines 1-(?P<n>\d+)\);.*",
     lambda m: f"Không thấy dòng “Số: …” ở phần đầu văn bản (dòng 1–{m['n']}); {NUMBER_EXAMPLE}."),
    (r"'(?P<v>.*)' has no number;.*", lambda m: f"Dòng “{m['v']}” không có số văn bản; {NUMBER_EXAMPLE}."),
    (r"'(?P<v>.*)' is not a valid date; expected .*",
     lambda m: f"“{m['v']}” không phải là một ngày có thật; cần dạng “ngày 20 tháng 5 năm 2021”."),
    (r"'(?P<v>.*)' is not a place and date;.*",
     lambda m: f"Dòng “{m['v']}” không ghi đủ địa danh và ngày ban hành; {DATE_EXAMPLE}."),
    (r"no place and date in the heading.*",
     lambda m: f"Không thấy địa danh và ngày ban hành ở phần đầu văn bản; {DATE_EXAMPLE}."),
    (r"no summary \(trích yếu\) after '(?P<v>.*)';.*",
     lambda m: f"Không thấy trích yếu dưới dòng “{m['v']}”: trích yếu đặt ngay dòng sau tên loại văn bản."),
    (r"'(?P<v>.*)' is not a document type the importer knows;.*",
     lambda m: f"“{m['v']}” không phải là tên loại văn bản (kế hoạch, công văn, quyết định, chỉ thị, thông báo,"
     " hướng dẫn, báo cáo …); công văn ghi “V/v …” dưới số văn bản."),
    (r"no document type line .*",
     lambda m: "Không thấy tên loại văn bản (KẾ HOẠCH, QUYẾT ĐỊNH …) hay dòng “V/v …” của công văn."),
    (r"'(?P<v>.*)' after (?P<n>\S+) is not a date;.*",
     lambda m: f"“{m['v']}” sau số {m['n']} không phải là một ngày; cần dạng “ngày 17/5/2021”."),
    # the report line, the signer, the issuer (importer.py, issuer.py)
    (r"'(?P<v>.*)' is not a valid date; write the day that is meant.*",
     lambda m: f"Hạn báo cáo “{m['v']}” không phải là một ngày có thật: hãy nhập đúng hạn báo cáo."),
    (r"no report date in the document.*",
     lambda m: "Văn bản không ghi hạn báo cáo (“báo cáo … trước ngày …”): hãy nhập hạn báo cáo."),
    (r"no signer at the end.*",
     lambda m: "Không đọc được người ký ở cuối văn bản (thẩm quyền ký, chức vụ, họ tên): hãy nhập người ký."),
    (r".* does not tell the issuer.*",
     lambda m: "Không xác định được đơn vị ban hành từ văn bản: hãy chọn đơn vị ban hành."),
    (r"--issuer (?P<c>\S+) is not a unit of the org tree",
     lambda m: f"Đơn vị ban hành {m['c']} không có trong cây tổ chức."),
    (r"no organisation tree imported yet.*",
     lambda m: "Chưa có cây tổ chức: cần nhập cây tổ chức trước khi tải văn bản lên."),
    # the recipients and tasks (roles.py, importer.py, resolve.py, lists.py, grouped.py)
    (r"the document has neither a 'Kính gửi' nor a 'Nơi nhận' list.*",
     lambda m: "Văn bản không có phần “Kính gửi” hay “Nơi nhận”: hãy chọn nơi nhận."),
    (r"not resolved, as the issuer is not known.*",
     lambda m: "Chưa xác định được nơi nhận vì chưa biết đơn vị ban hành."),
    (r"'Như trên' but the document has no 'Kính gửi' list.*",
     lambda m: "Nơi nhận ghi “Như trên” nhưng văn bản không có phần “Kính gửi”: hãy chọn nơi nhận."),
    (r"'(?P<n>[^']*)' but Điều (?P<a>\d+) names no unit.*",
     lambda m: f"Nơi nhận ghi “{m['n']}” nhưng Điều {m['a']} không giao việc cho đơn vị nào: hãy chọn nơi nhận."),
    (r"a point that names nobody.*",
     lambda m: "Một điểm của văn bản không nêu đơn vị thực hiện, và văn bản không có phần “Kính gửi”: hãy chọn"
     " đơn vị thực hiện nhiệm vụ."),
    (r"group '(?P<n>[^']*)' has no tasks under it",
     lambda m: f"Mục “{m['n']}” không có nhiệm vụ nào bên dưới."),
    (r"'(?P<n>[^']*)' names several units",
     lambda m: f"“{m['n']}” ứng với nhiều đơn vị: hãy chọn một đơn vị nhận báo cáo."),
    (r"(?:group )?'(?P<n>[^']+)' is ambiguous under \S+: it matches (?P<v>.*)",
     lambda m: f"“{m['n']}” trùng tên nhiều đơn vị trực thuộc ({m['v']}): hãy chọn đúng đơn vị."),
    (r"(?:group )?'(?P<n>[^']+)' is ambiguous: it matches (?P<v>[^;]+).*",
     lambda m: f"“{m['n']}” trùng tên nhiều đơn vị ({m['v']}){_where(m)}: hãy chọn đúng đơn vị."),
    (r"(?:group )?'(?P<n>[^']+)' stands for \S+ units, none is under \S+.*",
     lambda m: f"“{m['n']}” chỉ một nhóm đơn vị, nhưng dưới đơn vị ban hành không có đơn vị nào thuộc nhóm đó"
     f"{_where(m)}."),
    (r"(?:group )?'(?P<n>[^']*)' names no unit.*",
     lambda m: f"“{m['n']}” không nêu tên đơn vị nào{_where(m)}."),
    (UNKNOWN_NAME.pattern.removeprefix("^") + ".*",
     lambda m: unknown_name_message(m["name"], m.string)),
]  # fmt: skip
IMPORT_RULES: list[Rule] = [(re.compile(f"^{pattern}$"), say) for pattern, say in _RULES]
