"""A small translation layer: Vietnamese is the source text, English a dictionary keyed by it.

Templates write `{{ _("Xác nhận đã nhận") }}` (or `_("… {number}", number=…)`); the page language comes
from the template context (`lang`) or from the request (set by web.lang's middleware). A text missing
from the dictionary stays Vietnamese, so a page is never blank in either language.
"""

from __future__ import annotations

from contextvars import ContextVar
from datetime import date
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context

from models import Urgency

LANGUAGES = ("vi", "en")
DEFAULT_LANG = "vi"
LANG_NAMES = {"vi": "Tiếng Việt", "en": "English"}

current_lang: ContextVar[str] = ContextVar("cascade_lang", default=DEFAULT_LANG)
# Where the language switch of the current page points (None: no switch, e.g. after a POST).
current_switch_path: ContextVar[str | None] = ContextVar("cascade_switch_path", default=None)

EN: dict[str, str] = {
    # the document and the unit pages
    "Số": "No.",
    "Kính gửi": "To",
    "Đơn vị thực hiện": "Unit to act",
    "Để biết": "For information",
    # a recipient's role in the status views (cascade.rendering.render.ROLE_LABELS)
    "Thực hiện": "To act",
    "Phối hợp": "To coordinate",
    "Để báo cáo": "Reported to (superior)",
    "Thực hiện văn bản số {basis}": "Implementing document no. {basis}",
    "ngày {date}": "dated {date}",
    "của {issuer}": "of {issuer}",
    "Nhiệm vụ của đơn vị": "Your unit's tasks",
    "Hạn xác nhận đã nhận": "Acknowledge receipt by",
    "Hạn báo cáo kết quả": "Report the results by",
    "gửi về {to}": "to {to}",
    "Văn bản": "Document",
    "Văn bản số {number}": "Document no. {number}",
    "Xác nhận đã nhận": "Confirm receipt",
    "Bấm nút dưới đây để xác nhận {unit} đã nhận văn bản số {number}.": (
        "Press the button below to confirm that {unit} has received document no. {number}."
    ),
    "Đơn vị đã xác nhận đã nhận văn bản lúc {at}.": "Your unit confirmed receipt of this document at {at}.",
    "Đã xác nhận": "Confirmed",
    "Cảm ơn. {unit} đã xác nhận đã nhận văn bản số {number} lúc {at}.": (
        "Thank you. {unit} confirmed receipt of document no. {number} at {at}."
    ),
    "Văn bản số {number} đã được xác nhận trước đó, lúc {at}. Không cần xác nhận lại.": (
        "Document no. {number} was already confirmed at {at}. There is nothing more to do."
    ),
    "Xem lại văn bản": "View the document again",
    "Mức độ khẩn": "Urgency",
    "Khẩn": "Urgent",
    "Thượng khẩn": "Very urgent",
    "Hỏa tốc": "Flash",
    "Trích yếu": "Summary",
    "Ngôn ngữ": "Language",
    "Bỏ qua, tới nội dung": "Skip to content",
    "Văn bản điều hành": "Official directives",
    # errors
    "Liên kết không hợp lệ": "Invalid link",
    "Liên kết này không đúng hoặc đã bị sửa đổi. Vui lòng dùng đúng liên kết trong thư đã nhận.": (
        "This link is wrong or has been altered. Please use the exact link from the email you received."
    ),
    "Liên kết không dùng cho việc này": "This link is not for this action",
    "Liên kết này không dùng cho thao tác này. Vui lòng dùng đúng liên kết trong thư đã nhận.": (
        "This link cannot be used for this action. Please use the exact link from the email you received."
    ),
    "Liên kết đã hết hạn": "The link has expired",
    "Liên kết này đã hết hạn. Vui lòng liên hệ đơn vị ban hành văn bản.": (
        "This link has expired. Please contact the unit that issued the document."
    ),
    "Không tìm thấy văn bản": "Document not found",
    "Không tìm thấy nhiệm vụ ứng với liên kết này.": "No task matches this link.",
    "Không tìm thấy trang": "Page not found",
    "Yêu cầu không hợp lệ": "Invalid request",
    "Lỗi hệ thống": "System error",
    "Đã có lỗi xảy ra. Vui lòng thử lại sau ít phút.": "Something went wrong. Please try again in a few minutes.",
    "Not Found": "The page you asked for does not exist.",
    "Cần đăng nhập quản trị.": "Administrator sign-in required.",
    "Chưa cấu hình mật khẩu quản trị (CASCADE_ADMIN_PASSWORD).": (
        "No administrator password is configured (CASCADE_ADMIN_PASSWORD)."
    ),
    "Mã lỗi": "Error code",
    "Nếu cần hỗ trợ, vui lòng liên hệ văn phòng đơn vị ban hành văn bản.": (
        "If you need help, please contact the office of the unit that issued the document."
    ),
    # the local inbox and the supervisor views
    "Gửi báo cáo": "Send a report",
    "Hộp thư thử nghiệm": "Test inbox",
    "Hộp thư": "Inbox",
    "Người nhận": "To",
    "Người gửi": "From",
    "Tiêu đề": "Subject",
    "Liên kết": "Links",
    "Nhận lúc": "Received",
    "Chưa có thư nào.": "No mail yet.",
    "Nội dung thư": "Message",
    "Xem bản HTML của thư": "Show the HTML version",
    "Theo dõi văn bản": "Directive tracking",
    "Tất cả văn bản": "All directives",
    "Cấp": "Level",
    "Số đơn vị": "Units",
    "Đơn vị": "Unit",
    "Vai trò": "Role",
    "Trạng thái": "Status",
    "Hạn xác nhận": "Acknowledge by",
    "Hạn báo cáo": "Report by",
    "Đã xác nhận lúc": "Acknowledged at",
    "Văn bản triển khai": "Implementing directive",
    "Đơn vị đôn đốc": "Followed up by",
    "Số ngày quá hạn": "Days late",
    "Quá hạn (ngày làm việc)": "Late (working days)",
    "Tỉ lệ đã tiếp nhận tính trên các đơn vị phải xác nhận; nơi nhận để báo cáo (cấp trên) không phải xác nhận và "
    "không bao giờ bị tính là quá hạn.": "The share received counts the units asked to acknowledge; a superior the "
    "directive is reported to is not asked, and is never counted as late.",
    "Quá hạn xác nhận": "Late to acknowledge",
    "Quá hạn báo cáo": "Late to report",
    "Cây đơn vị": "Unit tree",
    "Tải CSV": "Download CSV",
    "Tải Excel (XLSX)": "Download Excel (XLSX)",
    "Tải văn bản (Word)": "Download the document (Word)",
    # the unit page's whole document (templates/web/_document.html)
    "Toàn văn văn bản": "The whole document",
    "Văn bản được thực hiện": "The document it implements",
    "Tải bản gốc có chữ ký": "Download the signed original",
    "Số đơn vị theo trạng thái, từng cấp": "Units by status, per level",
    "Tỉ lệ đã tiếp nhận": "Share received",
    "Hôm nay": "Today",
    "Nhật ký": "Audit log",
    "Văn bản đã nhận": "Directives received",
    "số": "no.",
    "Không có đơn vị nào quá hạn báo cáo.": "No unit is late to report.",
    "Không có đơn vị nào quá hạn xác nhận.": "No unit is late to acknowledge.",
    "Thư mà máy chủ SMTP cục bộ của bản chạy thử đã nhận ({count} thư, thư mục {dir}). Mở một thư rồi bấm liên kết "
    "trong thư để xác nhận như một đơn vị.": "The mail the demo's local SMTP server received ({count} messages, "
    "folder {dir}). Open a message and follow its link to acknowledge as a unit would.",
    "Chưa có văn bản nào.": "No directive yet.",
    "Cơ quan ban hành": "Issuer",
    "Ngày": "Date",
    "Số, ký hiệu": "Number",
    "Văn bản ban hành và văn bản triển khai ở các cấp": (
        "Directives issued, and their implementing directives at every level"
    ),
    "Chi tiết": "Details",
    "Chưa có sự kiện nào.": "No event yet.",
    "Người thực hiện": "By",
    "Sự kiện": "Event",
    "Thời điểm": "Time",
    "Đơn vị chưa nhận văn bản nào.": "This unit has received no directive yet.",
    "Đơn vị cấp trên": "Parent unit",
    "Đơn vị trực thuộc": "Units below",
    "đã giải thể/sáp nhập": "dissolved/merged",
    # the paged view of a big directive (cascade/status/page.py)
    "Tổng hợp": "Figures",
    "Đã xác nhận (đơn vị nhận trực tiếp)": "Acknowledged (direct recipients)",
    "Số đơn vị (mọi cấp)": "Units (every level)",
    "Danh sách đơn vị": "Units",
    "Tất cả": "All",
    "Không có đơn vị nào.": "No unit.",
    "Trang": "Page",
    "Trang đầu": "First page",
    "Trang trước": "Previous page",
    "Trang sau": "Next page",
    "Trang cuối": "Last page",
    "đơn vị": "units",
    # audit log events (cascade.rendering.render.AUDIT_EVENT_LABELS)
    "Lưu văn bản vào hệ thống": "Directive stored",
    "Xếp thư thông báo vào hàng gửi": "Notices queued",
    "Xác nhận đã nhận văn bản": "Receipt confirmed",
    "Từ chối tiếp nhận văn bản": "Directive refused",
    "Chuyển văn bản cho đơn vị khác": "Sent on to another unit",
    "Chờ ban hành văn bản triển khai": "Awaiting the implementing document",
    "Ban hành văn bản triển khai": "Implementing document issued",
    "Ghi nhận người ký": "Signer recorded",
    "Đặt lại sổ văn bản đi": "Outgoing register set",
    "Lưu báo cáo (chưa gửi)": "Report saved (not sent)",
    "Nộp báo cáo": "Report submitted",
    "Tổng hợp báo cáo": "Reports consolidated",
    "Nhập cơ cấu tổ chức": "Organisation imported",
    "Chuyển văn bản sang đơn vị kế thừa": "Moved to the successor unit",
    "Gộp vào văn bản của đơn vị kế thừa": "Merged into the successor unit's",
    "Thư bị trả lại": "Mail bounced",
    "Thư chưa rõ tình trạng: xác định đã đến": "Mail in doubt: found delivered",
    "Thư chưa rõ tình trạng: đã gửi lại": "Mail in doubt: sent again",
    "Thư chưa rõ tình trạng: xác định không đến": "Mail in doubt: found not delivered",
    "Nhắc trước hạn": "Reminder before the deadline",
    "Nhắc đúng hạn": "Reminder on the deadline",
    "Nhắc, báo đơn vị cấp trên": "Reminder copied to the parent unit",
    "Báo cán bộ theo dõi": "Escalated to the follow-up officer",
    # statuses
    "Chờ gửi": "Waiting to be sent",
    "Đã đến": "Arrived",
    "Từ chối tiếp nhận": "Refused",
    "Đã tiếp nhận": "Received",
    "Đã phân công": "Assigned",
    "Đang xử lý": "In progress",
    "Hoàn thành": "Completed",
}

URGENCY_LABELS = {Urgency.khan: "Khẩn", Urgency.thuong_khan: "Thượng khẩn", Urgency.hoa_toc: "Hỏa tốc"}


def choose(value: str | None) -> str | None:
    """The supported language a query value or cookie names, or None."""
    value = (value or "").strip().lower()[:5]
    return value if value in LANGUAGES else None


def translate(text: str, lang: str | None = None, **params: Any) -> str:
    lang = lang or current_lang.get()
    source = EN.get(text, text) if lang == "en" else text
    return source.format(**params) if params else source


@pass_context
def jinja_translate(context: Context, text: str, **params: Any) -> str:
    lang = context.get("lang") or current_lang.get()
    return translate(str(text), str(lang), **params)


@pass_context
def page_lang(context: Context) -> str:
    return str(context.get("lang") or current_lang.get())


MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def decree_day(value: date) -> str:
    """The day as Decree 30 (Appendix I) writes it: a leading zero below 10 ("09"), so no one can add a digit."""
    return f"{value.day:02d}"


def decree_month(value: date) -> str:
    """The month as Decree 30 writes it: months 1 and 2 take a leading zero ("01", "02"), 3 to 12 do not
    (a "1" or "2" alone could be turned into 10, 11 or 12)."""
    return f"{value.month:02d}" if value.month < 3 else str(value.month)


def decree_long_date(value: date) -> str:
    """ngày 05 tháng 02 năm 2026, ngày 20 tháng 5 năm 2021: a document's place-and-date line."""
    return f"ngày {decree_day(value)} tháng {decree_month(value)} năm {value.year}"


def decree_short_date(value: date) -> str:
    """17/5/2021, 05/02/2026: a date in running text ("Kế hoạch số … ngày 17/5/2021"), padded as the long one."""
    return f"{decree_day(value)}/{decree_month(value)}/{value.year}"


@pass_context
def long_date(context: Context, value: date) -> str:
    """ngày 20 tháng 5 năm 2021 (a document's place-and-date line, padded as the decree says:
    ngày 05 tháng 02 năm 2026), or 20 May 2021 in English."""
    if (context.get("lang") or current_lang.get()) == "en":
        return f"{value.day} {MONTHS_EN[value.month - 1]} {value.year}"
    return decree_long_date(value)


def switch_links() -> list[dict[str, str]]:
    """The other languages, as links to the same page (empty where a page cannot be fetched again)."""
    path = current_switch_path.get()
    if path is None:
        return []
    here = current_lang.get()
    return [
        {"lang": code, "name": LANG_NAMES[code], "href": f"{path}?lang={code}"} for code in LANGUAGES if code != here
    ]


def install(env: Any) -> None:
    """Adds `_`, `page_lang`, `lang_switch` and the `long_date` filter to a Jinja2 environment."""
    env.filters.update(long_date=long_date)
    env.globals.update(_=jinja_translate, page_lang=page_lang, lang_switch=switch_links, urgency_labels=URGENCY_LABELS)
