"""Jinja2 environment for every email and page (autoescaped HTML, plain text alongside)."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from cascade.core.workdays import VN_TZ
from cascade.rendering.i18n import install as install_i18n

# The templates ship as the `templates` package (package data in the wheel), found through the import system.
TEMPLATES_DIR = Path(str(files("templates")))

ROLE_LABELS = {"act": "Đơn vị thực hiện", "info": "Để biết"}
STATUS_LABELS = {
    "queued": "Chờ gửi",
    "arrived": "Đã đến",
    "refused": "Từ chối tiếp nhận",
    "acknowledged": "Đã tiếp nhận",
    "assigned": "Đã phân công",
    "in_progress": "Đang xử lý",
    "completed": "Hoàn thành",
}


def vn_date(value: date | None) -> str:
    """20/05/2021, the way Vietnamese documents write dates."""
    return value.strftime("%d/%m/%Y") if value else ""


def vn_long_date(value: date) -> str:
    """ngày 20 tháng 5 năm 2021, as in a document's place-and-date line."""
    return f"ngày {value.day} tháng {value.month} năm {value.year}"


def vn_time(value: datetime | None) -> str:
    return value.astimezone(VN_TZ).strftime("%H:%M %d/%m/%Y") if value else ""


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates ship with the code: no stat() of the file at every render
    )
    env.filters.update(vn_date=vn_date, vn_long_date=vn_long_date, vn_time=vn_time)
    env.globals.update(role_labels=ROLE_LABELS, status_labels=STATUS_LABELS)
    install_i18n(env)
    return env


def render(name: str, **context: object) -> str:
    return environment().get_template(name).render(**context)


def outbox_row(key: str, kind: str, to: tuple[str, str], template: str, now: datetime, **values: Any) -> dict[str, Any]:
    """An outbox row for `email/<template>_subject.txt`, `.txt` and `.html` rendered with `values`
    (`directive_id` and `assignment_id` among them go on the row, not to the templates)."""
    return {
        "key": key,
        "kind": kind,
        "directive_id": values.pop("directive_id", None),
        "assignment_id": values.pop("assignment_id", None),
        "to_addr": to[1],
        "to_name": to[0],
        "subject": " ".join(render(f"email/{template}_subject.txt", **values).split()),
        "body_text": render(f"email/{template}.txt", **values),
        "body_html": render(f"email/{template}.html", **values),
        "status": "pending",
        "attempts": 0,
        "created_at": now,
    }
