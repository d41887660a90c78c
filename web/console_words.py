"""The console pages' words in English (?lang=en), added to cascade/rendering/i18n.py's dictionary when the
console's modules are imported: kept beside the pages that use them, so that the shared dictionary is not
edited by every page's author at once. A text missing here stays Vietnamese, as everywhere."""

from __future__ import annotations

from cascade.rendering.i18n import EN

WORDS: dict[str, str] = {
    # the upload page
    "Ban hành văn bản mới": "Issue a new directive",
    "Ban hành văn bản triển khai": "Issue an implementing directive",
    "Tải lên văn bản đã ký (Word .docx, PDF có lớp chữ .pdf, văn bản .txt hoặc .md), hoặc tệp văn bản dạng YAML. "
    "Hệ thống đọc số, ngày, "
    "trích yếu, nơi nhận và nhiệm vụ; bạn kiểm tra, sửa, xem trước thông báo rồi mới ban hành. Chưa có gì được gửi "
    "đi cho đến khi bấm «Ban hành».": (
        "Upload the signed document (Word .docx, .pdf with a text layer, text .txt or .md), or a directive file in "
        "YAML. The system reads "
        "its number, date, summary, recipients and tasks; you check and correct them and preview the notice "
        "before issuing it. Nothing is sent until you press «Issue»."
    ),
    "Thực hiện {word} số {number} ngày {date} của {issuer}": "Implementing {word} no. {number} of {date} by {issuer}",
    "Văn bản của đơn vị sẽ được ghi là văn bản triển khai của đơn vị đối với văn bản trên: khi văn bản được gửi đi, "
    "cấp trên thấy đơn vị đã triển khai.": (
        "Your unit's document will be recorded as its implementation of the document above: once it is sent, "
        "the level above sees that your unit passed it on."
    ),
    "Chưa tạo được bản nháp": "The draft could not be created",
    "Chưa chọn tệp văn bản (hoặc chưa nhập nội dung văn bản).": "No document chosen (and no text typed in).",
    "Tệp văn bản (.docx, .pdf, .txt, .md) hoặc tệp YAML": "Document (.docx, .pdf, .txt, .md) or YAML directive file",
    "Bản gốc đã ký (PDF, không bắt buộc)": "Signed original (PDF, optional)",
    "Bản gốc được gửi kèm thông báo cho các đơn vị và lưu theo mã băm nội dung.": (
        "The original is attached to the units' notices and kept by the hash of its content."
    ),
    "Hoặc soạn văn bản ngay tại đây (đã có sẵn khung, sửa lại cho đúng)": (
        "Or write the document here (an outline is filled in: correct it)"
    ),
    "Hoặc dán nội dung văn bản": "Or paste the document's text",
    "Nội dung văn bản": "Document text",
    "Dùng khi không có tệp: nội dung được đọc như một tệp .txt (mỗi đoạn một dòng).": (
        "For when there is no file: the text is read as a .txt file (one paragraph per line)."
    ),
    "Tải lên và xem trước": "Upload and preview",
    "Văn bản cấp trên gửi đơn vị, chưa có văn bản triển khai": "Documents from above still to be implemented",
    "Viết văn bản triển khai": "Write the implementing directive",
    "Bản nháp chưa ban hành": "Drafts not issued yet",
    "{n} lỗi cần sửa": "{n} problems to fix",
    # the draft page
    "Bản nháp": "Draft",
    "Bản nháp văn bản": "Directive draft",
    "Đọc từ tệp {name}": "Read from {name}",
    "Bản gốc đã ký": "Signed original",
    "Chưa có gì được gửi đi.": "Nothing has been sent.",
    "Văn bản triển khai của đơn vị đối với văn bản số {number}": "Your unit's implementation of document no. {number}",
    "Đã lưu thay đổi.": "Changes saved.",
    "Văn bản cùng số của đơn vị đã được ban hành trước đó:": "A document with this number was already issued:",
    "xem văn bản đã ban hành": "see the issued document",
    "Cần sửa trước khi ban hành": "To fix before issuing",
    "dòng {line} của văn bản": "line {line} of the document",
    "Có phải là:": "Did you mean:",
    "Không có lỗi: bản nháp có thể ban hành.": "No problems: the draft can be issued.",
    "Thông tin văn bản": "The document",
    "Cơ quan ban hành": "Issued by",
    "Số, ký hiệu": "Number",
    "Loại văn bản": "Type of document",
    "Ngày ban hành": "Date of issue",
    "Địa danh": "Place",
    "Thường": "Normal",
    "Căn cứ: số văn bản cấp trên": "Basis: number of the document from above",
    "Ngày của văn bản căn cứ": "Date of the basis document",
    "Cơ quan ban hành văn bản căn cứ": "Issuer of the basis document",
    "Thẩm quyền ký": "Signing authority",
    "Chức vụ người ký": "Signer's title",
    "Họ và tên người ký": "Signer's full name",
    "Cách triển khai xuống cấp dưới": "How it is passed down",
    "Hệ thống tự gửi công văn triển khai của từng đơn vị": "The system sends each unit's implementing letter",
    "Mỗi đơn vị tự viết văn bản triển khai của mình": "Each unit writes its own implementing directive",
    "Nơi nhận": "Recipients",
    "đơn vị": "units",
    "Loại đơn vị": "Kind of unit",
    "Nhận văn bản": "Receives it",
    "Bỏ": "Remove",
    "Bỏ {unit} khỏi nơi nhận": "Remove {unit} from the recipients",
    "Vai trò của {unit}": "Role of {unit}",
    "Không có trong danh sách đơn vị": "Not in the list of units",
    "Chưa có nơi nhận: tìm và thêm đơn vị ở phần dưới.": "No recipients yet: find and add units below.",
    "Để thực hiện": "To act",
    "Để phối hợp thực hiện": "To coordinate",
    "Để biết": "For information",
    "Để báo cáo": "Reported to (superior)",
    "Nhiệm vụ": "Tasks",
    "Nhiệm vụ {n}": "Task {n}",
    "giao cho": "given to",
    "Văn bản không giao nhiệm vụ riêng cho đơn vị nào.": "The document gives no unit a task of its own.",
    "Nội dung": "Text",
    "Lưu thay đổi": "Save changes",
    "Thêm nơi nhận": "Add recipients",
    "Tìm đơn vị theo tên (gõ có dấu hoặc không dấu)": "Find a unit by name (with or without diacritics)",
    "Tìm": "Search",
    "Đơn vị thêm vào nhận văn bản": "Units added receive it",
    "Thêm": "Add",
    "Thêm {unit}": "Add {unit}",
    "đã có trong nơi nhận": "already a recipient",
    "Không tìm thấy đơn vị nào.": "No unit found.",
    "Thêm cả một cấp": "Add a whole level",
    "{n} đơn vị": "{n} units",
    "trực thuộc {unit}": "directly under {unit}",
    "cấp {n} dưới {unit}": "{n} levels under {unit}",
    "Xem trước thông báo": "Preview of the notice",
    "Tiêu đề thư": "Subject",
    "Thư của một đơn vị nhận, đúng như đơn vị sẽ thấy; mỗi đơn vị nhận thư có tên và liên kết riêng của mình.": (
        "One recipient's email exactly as it will see it; each unit gets its own name and links."
    ),
    "Thông báo như đơn vị sẽ nhận": "The notice as a unit will get it",
    "Bản chữ thuần của thư": "Plain-text version of the email",
    "Chưa xem trước được thông báo: cần sửa các lỗi ở đầu trang.": (
        "The notice cannot be previewed yet: fix the problems at the top of the page."
    ),
    "Ban hành": "Issue",
    "Ban hành và gửi": "Issue and send",
    "Đang ban hành…": "Issuing…",
    "Thông báo sẽ được gửi tới {n} đơn vị. Sau khi ban hành, văn bản không sửa được nữa.": (
        "The notice will be sent to {n} units. Once issued the document cannot be changed."
    ),
    "Đơn vị tham mưu, nhận báo cáo: không gửi thông báo": "Drafting department, receives the reports: no notice",
    "Không gửi thông báo": "No notice sent",
    "Có thay đổi chưa lưu: bấm «Lưu thay đổi» trước khi ban hành.": "Unsaved changes: press «Save changes» first.",
    "Chưa ban hành được khi còn lỗi cần sửa (xem đầu trang).": (
        "It cannot be issued while problems remain (see the top of the page)."
    ),
    "Không tìm thấy bản nháp": "Draft not found",
    "Chưa xem trước được thông báo: bản nháp còn lỗi.": "The notice cannot be previewed: the draft has problems.",
    # the live page
    "Tiến độ gửi văn bản": "Progress of the directive",
    "thông báo": "notices",
    "Thư bị trả lại": "Bounced",
    "Quá hạn xác nhận": "Late to acknowledge",
    "Phải xác nhận": "Asked to acknowledge",
    "Đã gửi": "Sent",
    "Cộng": "Total",
    "Đã gửi xong thông báo cho các đơn vị nhận.": "All notices to the recipients have been sent.",
    "Đang gửi thông báo…": "Sending the notices…",
    "Cấp 1 là các đơn vị nhận văn bản này; cấp 2 trở đi là các đơn vị nhận văn bản triển khai của cấp trên mình.": (
        "Level 1 are this document's recipients; level 2 and below receive their parent unit's implementing directive."
    ),
    "Tải lại số liệu": "Refresh the figures",
    "Xem từng đơn vị": "Each unit's status",
    "Xem lượt chạy trên Prefect": "The flow run in Prefect",
    "Lượt chạy": "Flow run",
    "Văn bản được gửi trong nền bởi máy chủ web (chưa cấu hình máy chủ Prefect).": (
        "Sent in the background by the web server (no Prefect server is configured)."
    ),
    "Số liệu tự cập nhật, không cần tải lại trang.": "The figures update by themselves: no need to reload.",
}

for source, english in WORDS.items():
    EN.setdefault(source, english)  # the shared dictionary's own wording wins
