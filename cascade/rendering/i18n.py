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
    "Hạn báo cáo kết quả ({count} kỳ)": "Report the results in {count} rounds, by",
    "Kỳ {seq}": "Round {seq}",
    "kỳ cuối": "the last",
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
    "Cần đăng nhập.": "Sign-in required.",
    "Tài khoản chỉ có quyền theo dõi.": "This account may only read.",
    "Cần đổi mật khẩu ban đầu trước khi dùng tài khoản.": "Change the initial password before using the account.",
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
    # the console's accounts (web/login.py, web/users_pages.py, templates/web/admin/_nav.html)
    "Danh sách văn bản": "Directives",
    "Đăng nhập": "Sign in",
    "Đăng xuất": "Sign out",
    "Email": "Email",
    "Mật khẩu": "Password",
    "Trang quản trị dành cho cán bộ các đơn vị có tài khoản. Các đơn vị nhận văn bản không cần đăng nhập: mỗi thư "
    "có liên kết riêng.": "The console is for the staff of units who have an account. Units receiving a directive "
    "need no login: each email carries its own links.",
    "Quên mật khẩu? Vui lòng liên hệ người quản trị đơn vị để được đặt lại.": (
        "Forgot your password? Ask your unit's administrator to reset it."
    ),
    "Email hoặc mật khẩu không đúng.": "Wrong email or password.",
    "Mật khẩu hiện tại": "Current password",
    "Mật khẩu mới": "New password",
    "Nhập lại mật khẩu mới": "Repeat the new password",
    "Mật khẩu ban đầu do người khác đặt: vui lòng đổi mật khẩu trước khi dùng tài khoản.": (
        "Your initial password was set by someone else: please change it before using the account."
    ),
    "Ít nhất {n} ký tự, không trùng với địa chỉ email.": "At least {n} characters, not your email address.",
    "Mật khẩu hiện tại không đúng.": "The current password is wrong.",
    "Hai lần nhập mật khẩu mới không giống nhau.": "The two new passwords differ.",
    "Mật khẩu mới không được trùng với địa chỉ email.": "The new password must not be your email address.",
    "Mật khẩu mới phải khác mật khẩu hiện tại.": "The new password must differ from the current one.",
    "Quản trị đơn vị": "Unit administrator",
    "Theo dõi": "Supervisor",
    "Vận hành hệ thống": "System operator",
    "Toàn hệ thống": "The whole system",
    "Tài khoản": "Accounts",
    "Mọi tài khoản của hệ thống.": "Every account of the system.",
    "Tài khoản của {unit} và các đơn vị trực thuộc.": "The accounts of {unit} and the units below it.",
    "Đã tạo tài khoản {email} ({unit}). Người dùng phải đổi mật khẩu ban đầu ở lần đăng nhập đầu tiên.": (
        "Account {email} ({unit}) created. Its initial password must be changed at the first login."
    ),
    "Họ và tên": "Name",
    "Đã khóa": "Disabled",
    "Chưa đổi mật khẩu ban đầu": "Initial password not changed yet",
    "Đang hoạt động": "Active",
    "Thêm tài khoản": "Add an account",
    "Quản trị đơn vị: phát hành văn bản thay mặt đơn vị, quản lý tài khoản, theo dõi các đơn vị trực thuộc. Theo "
    "dõi: chỉ xem.": "Unit administrator: launches directives for the unit, manages its accounts, follows the units "
    "below it. Supervisor: reads only.",
    "Nhập mã đơn vị (có gợi ý theo tên).": "Type the unit's code (suggestions by name).",
    "Mật khẩu ban đầu": "Initial password",
    "Ít nhất {n} ký tự. Người dùng phải đổi mật khẩu này ở lần đăng nhập đầu tiên.": (
        "At least {n} characters. It must be changed at the first login."
    ),
    "Địa chỉ email không hợp lệ.": "The email address is not valid.",
    "Vui lòng chọn vai trò.": "Please choose a role.",
    "Đơn vị không có trong phạm vi quản lý của tài khoản.": "No such unit within your account's scope.",
    "Mã truy cập API": "API tokens",
    "Mã cá nhân để chương trình khác gọi API thay cho bạn (tiêu đề Authorization: Bearer …), trong phạm vi tài "
    "khoản của bạn. Tài liệu API:": "A personal token lets another program call the API for you (header "
    "Authorization: Bearer …), within your account's scope. API documentation:",
    "Mã mới (chỉ hiển thị một lần, hãy lưu lại ngay):": "The new token (shown only once: save it now):",
    "Ghi chú": "Label",
    "Tạo lúc": "Created",
    "Dùng lần cuối": "Last used",
    "Đã thu hồi": "Revoked",
    "Thu hồi": "Revoke",
    "Tạo mã mới": "Make a new token",
    "Ghi chú (dùng cho việc gì)": "Label (what it is for)",
    "Tạo mã": "Make the token",
    "Không tìm thấy mã truy cập": "Token not found",
    # audit log events (cascade.rendering.render.AUDIT_EVENT_LABELS)
    "Sự kiện khác": "Other event",
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
    "Phát hành văn bản từ trang quản trị": "Directive launched from the console",
    "Chấp nhận việc từ chối tiếp nhận": "Refusal accepted",
    "Tạo tài khoản": "Account created",
    "Đổi mật khẩu": "Password changed",
    "Tạo mã truy cập API": "API token created",
    "Thu hồi văn bản": "Directive recalled",
    "Đồng ý thu hồi văn bản": "Recall agreed",
    "Không đồng ý thu hồi văn bản": "Recall refused",
    "Đính chính văn bản": "Directive amended",
    "Đề nghị xác nhận lại văn bản đã đính chính": "Asked to confirm the amended directive again",
    "Thay thế văn bản": "Directive replaced",
    "Bổ sung nơi nhận": "Recipients added",
    # statuses
    "Chờ gửi": "Waiting to be sent",
    "Đã đến": "Arrived",
    "Từ chối tiếp nhận": "Refused",
    "Đã tiếp nhận": "Received",
    "Đã phân công": "Assigned",
    "Đang xử lý": "In progress",
    "Hoàn thành": "Completed",
    # decisions in the console: a refusal, restructuring, the register (web/decisions*.py)
    "Giải thể đơn vị, giao đơn vị kế thừa": "Unit dissolved, successor named",
    "Văn bản bị từ chối": "Refused directives",
    "Văn bản bị từ chối, chờ quyết định": "Refused directives awaiting a decision",
    "Đơn vị từ chối": "Unit that refused",
    "Văn bản đã được thu hồi ngày": "The document was recalled on",
    "Văn bản đã bị thay thế, không còn hiệu lực.": "The document was replaced and is no longer in force.",
    "Đã thu hồi lúc {at}": "Recalled at {at}",
    "Không còn hiệu lực (đã bị thay thế)": "No longer in force (replaced)",
    "Đã bắt đầu thu hồi: các đơn vị đã nhận văn bản sẽ nhận thông báo thu hồi.": (
        "The recall has started: every unit that received the document will get a recall notice."
    ),
    "Lý do thu hồi (các đơn vị sẽ đọc lý do này)": "Reason for the recall (the units will read it)",
    "Tôi xác nhận thu hồi văn bản này và các văn bản đã ban hành để thực hiện nó": (
        "I confirm the recall of this document and of the documents issued to carry it out"
    ),
    "Theo dõi trực tiếp": "Live progress",
    "Chưa thu hồi được văn bản": "The document was not recalled",
    "Văn bản này đã được thu hồi hoặc đã bị thay thế.": "This document was already recalled or replaced.",
    "Hãy ghi lý do thu hồi: các đơn vị sẽ đọc lý do này trong thông báo.": (
        "Give the reason for the recall: the units will read it in the notice."
    ),
    "Hãy đánh dấu ô xác nhận thu hồi: mọi đơn vị đã nhận sẽ được thông báo.": (
        "Tick the confirmation box: every unit that received it will be told."
    ),
    "Chỉ đơn vị ban hành mới thu hồi được văn bản của mình.": "Only the issuing unit can recall its document.",
    "Từ chối chờ quyết định": "Refusals to decide",
    "Sổ văn bản đi": "Outgoing register",
    "Lý do": "Reason",
    "Xem và quyết định": "Review and decide",
    "Không có lời từ chối nào đang chờ quyết định.": "No refusal is awaiting a decision.",
    "Đơn vị từ chối tiếp nhận văn bản": "A unit refused a directive",
    "{unit} đã từ chối tiếp nhận văn bản số {number} ngày {date} của {issuer}.": (
        "{unit} refused directive no. {number} of {date} from {issuer}."
    ),
    "Xem văn bản": "View the directive",
    "Lý do đơn vị nêu": "The reason the unit gave",
    "Quyết định": "Decision",
    "Văn bản đã được chuyển cho {to}.": "The directive was sent on to {to}.",
    "Đã chấp nhận việc từ chối: đơn vị không phải thực hiện văn bản này.": (
        "The refusal was accepted: the unit does not have to carry out this directive."
    ),
    "Người quyết định": "Decided by",
    "Chuyển văn bản cho đúng đơn vị": "Send the directive to the right unit",
    "Chọn đúng đơn vị trong cây tổ chức; đơn vị đó nhận văn bản với cùng vai trò và được gửi thông báo.": (
        "Pick the right unit in the organisation tree; it receives the directive with the same role, and a notice."
    ),
    "Chuyển cho đơn vị này": "Send it to this unit",
    "Chấp nhận việc từ chối": "Accept the refusal",
    "Nếu đơn vị đúng là không liên quan: văn bản không chuyển cho ai khác, đơn vị không bị nhắc và lời từ chối "
    "không còn chờ quyết định.": "If the unit is rightly not concerned: the directive goes to no one else, the "
    "unit is not reminded, and the refusal no longer awaits a decision.",
    "Tài khoản theo dõi chỉ xem; người quản trị của đơn vị ban hành quyết định việc này.": (
        "A supervisor's account only reads; an administrator of the issuing unit decides this."
    ),
    "Các lời từ chối đang chờ quyết định": "Refusals awaiting a decision",
    "Tìm đơn vị theo tên": "Find a unit by name",
    "tên đơn vị, có dấu hoặc không dấu": "a unit's name, with or without diacritics",
    "Tìm": "Search",
    "Gõ có dấu hoặc không dấu đều được; chỉ các đơn vị trong phạm vi của tài khoản được liệt kê.": (
        "With or without diacritics; only the units within your account's scope are listed."
    ),
    "Đơn vị tìm thấy": "Units found",
    "thuộc {parent}": "under {parent}",
    "Không tìm thấy đơn vị nào có tên như vậy.": "No unit has such a name.",
    "đã là nơi nhận văn bản này": "already a recipient of this directive",
    "đơn vị đã từ chối": "the unit that refused",
    "đơn vị ban hành văn bản này": "the issuer of this directive",
    "Đã chuyển văn bản cho {to}. Thông báo sẽ được gửi tới đơn vị trong lượt gửi tiếp theo.": (
        "The directive was sent on to {to}. Its notice goes out with the next dispatch."
    ),
    "Văn bản đã được chuyển cho {to} trước đó. Không làm gì thêm.": (
        "The directive was already sent on to {to}. Nothing more was done."
    ),
    "Không chuyển được: lời từ chối này đã được xử lý, văn bản đã được chuyển cho {to}. Mỗi lời từ chối chỉ được "
    "chuyển một lần.": "Not sent on: this refusal was already decided, the directive went to {to}. A refusal is "
    "sent on once only.",
    "Không chuyển được: {picked} đã giải thể hoặc sáp nhập. Vui lòng chọn đơn vị khác.": (
        "Not sent on: {picked} has been dissolved or merged. Please pick another unit."
    ),
    "Không chuyển được: {picked} đã là nơi nhận văn bản này. Vui lòng chọn đơn vị khác.": (
        "Not sent on: {picked} is already a recipient of this directive. Please pick another unit."
    ),
    "Không chuyển được: {picked} là đơn vị ban hành văn bản này, không thể nhận lại văn bản của chính mình. "
    "Vui lòng chọn đơn vị khác.": (
        "Not sent on: {picked} issued this directive and cannot be sent its own directive. Please pick another unit."
    ),
    "Đã ghi nhận: chấp nhận việc {unit} từ chối tiếp nhận. Đơn vị không phải thực hiện văn bản này.": (
        "Recorded: the refusal of {unit} is accepted. The unit does not have to carry out this directive."
    ),
    "Việc từ chối đã được chấp nhận trước đó. Không làm gì thêm.": (
        "The refusal was already accepted. Nothing more was done."
    ),
    "Không thể chấp nhận việc từ chối: văn bản đã được chuyển cho {to}.": (
        "The refusal cannot be accepted: the directive was already sent on to {to}."
    ),
    "Không tìm thấy lời từ chối": "Refusal not found",
    "Không tìm thấy đơn vị": "Unit not found",
    "Giải thể, sáp nhập đơn vị": "Dissolve or merge a unit",
    "Văn bản đang thực hiện": "Directives in progress",
    "Đơn vị đã giải thể/sáp nhập.": "The unit has been dissolved or merged.",
    "Đơn vị kế thừa": "Successor unit",
    "Đây là đơn vị của chính tài khoản này; việc giải thể do đơn vị cấp trên thực hiện.": (
        "This is your account's own unit; the unit above it dissolves it."
    ),
    "Chọn đơn vị kế thừa": "Pick the successor unit",
    "Khi giải thể: các văn bản đơn vị đang thực hiện chuyển sang đơn vị kế thừa (đơn vị kế thừa được gửi thông "
    "báo), các đơn vị trực thuộc chuyển sang trực thuộc đơn vị kế thừa. Việc này không hoàn tác được từ trang "
    "này.": "On dissolution the unit's directives in progress move to the successor (which gets their notices), "
    "and its units move under the successor. This page cannot undo it.",
    "Giải thể, giao cho đơn vị này kế thừa": "Dissolve, with this unit as successor",
    "Tài khoản theo dõi chỉ xem; người quản trị của đơn vị cấp trên thực hiện việc này.": (
        "A supervisor's account only reads; an administrator of the unit above does this."
    ),
    "chính đơn vị cần giải thể": "the unit being dissolved itself",
    "đã giải thể": "dissolved",
    "đơn vị trực thuộc đơn vị cần giải thể": "a unit below the one being dissolved",
    "Không thể giải thể đơn vị của chính tài khoản này.": "Your account's own unit cannot be dissolved from it.",
    "Không chọn được {name}: {why}.": "{name} cannot be picked: {why}.",
    "Đã giải thể {unit}; đơn vị kế thừa: {successor}. {moved} văn bản đang thực hiện đã chuyển sang đơn vị kế thừa "
    "(thông báo sẽ được gửi trong lượt gửi tiếp theo); {children} đơn vị trực thuộc chuyển sang trực thuộc đơn vị "
    "kế thừa.": "{unit} is dissolved; successor: {successor}. {moved} directive(s) in progress moved to the "
    "successor (the notices go out with the next dispatch); {children} unit(s) below now come under the successor.",
    "Đơn vị đã giải thể trước đó; đơn vị kế thừa: {successor}. Không làm gì thêm.": (
        "The unit was dissolved before; successor: {successor}. Nothing more was done."
    ),
    "Sổ đăng ký văn bản đi": "Register of outgoing documents",
    "năm {year}": "year {year}",
    "Văn bản tiếp theo của đơn vị mang số": "The unit's next document gets number",
    "công văn: {written}": "an official letter: {written}",
    "Số lớn nhất đã dùng trong hệ thống năm nay: {used}.": "Highest number used in the system this year: {used}.",
    "Năm nay đơn vị chưa dùng số nào trong hệ thống.": "The unit has used no number in the system this year.",
    "Các văn bản hệ thống ban hành thay đơn vị (văn bản triển khai) lấy số tiếp theo từ sổ này. Nếu đơn vị đã ban "
    "hành văn bản ngoài hệ thống, hãy đặt số tiếp theo cho đúng.": "The documents the system issues for the unit "
    "(its implementing directives) take the next number from this register. If the unit issued documents outside "
    "the system, set the next number accordingly.",
    "Số của văn bản tiếp theo": "Number of the next document",
    "Lưu": "Save",
    "Tài khoản theo dõi chỉ xem; người quản trị của đơn vị đặt số.": (
        "A supervisor's account only reads; an administrator of the unit sets the number."
    ),
    "Chọn đơn vị để xem sổ đăng ký văn bản đi.": "Pick a unit to see its register of outgoing documents.",
    "Sổ của đơn vị khác": "Another unit's register",
    "Không đặt được số {number}: năm {year} đơn vị đã dùng đến số {used}. Số tiếp theo phải từ {least} trở lên.": (
        "Number {number} cannot be set: in {year} the unit already used numbers up to {used}. The next one must be "
        "{least} or more."
    ),
    "Sổ đã ở số {number}. Không làm gì thêm.": "The register is already at number {number}. Nothing more was done.",
    "Đã đặt: văn bản tiếp theo của {unit} năm {year} mang số {number} (công văn: {written}).": (
        "Set: the next document of {unit} in {year} gets number {number} (an official letter: {written})."
    ),
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
