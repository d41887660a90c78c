"""The signed links of a unit's emails: one to confirm receipt (and pass on), one to report results."""

from __future__ import annotations

from cascade.core.settings import Settings
from cascade.core.workdays import local_date
from cascade.dispatch.notice_shapes import NoticeAssignment
from cascade.dispatch.tokens import Purpose, expiry_for, make_token
from models import Assignment, owes_report, utcnow

LINK_GRACE_DAYS = 30
REPORT_LINK_GRACE_DAYS = 90  # a late report is still accepted for a while after the last deadline


def unit_link(settings: Settings, assignment: Assignment | NoticeAssignment) -> str:
    # Valid until the deadline plus a grace period, and never less than that grace period from today:
    # a notice sent late (a replayed or delayed directive) still gets a usable link.
    deadline = max(assignment.report_due or assignment.ack_due, local_date(utcnow()))
    token = make_token(settings, assignment.id or 0, Purpose.ack, expiry_for(deadline, LINK_GRACE_DAYS))
    return f"{settings.web.public_url.rstrip('/')}/u/{token}"


def report_link(settings: Settings, assignment: Assignment | NoticeAssignment) -> str | None:
    """The unit's own report link (its own purpose: it cannot acknowledge), for a unit that owes a report."""
    if not owes_report(assignment) or assignment.id is None:
        return None
    deadline = max(assignment.report_due or assignment.ack_due, local_date(utcnow()))
    token = make_token(settings, assignment.id, Purpose.report, expiry_for(deadline, REPORT_LINK_GRACE_DAYS))
    return f"{settings.web.public_url.rstrip('/')}/r/{token}"
