"""What a lifecycle command did, as the CLI prints it and the Prefect artifact shows it."""

from __future__ import annotations

from typing import NotRequired, TypedDict


class Outcome(TypedDict):
    kind: str  # recall | amend | replace | add-recipients
    directive_id: int
    number: str
    issuer: str  # the issuer's name
    message_ids: list[int]  # the notices queued (still owed), to send now
    cancelled: int  # unsent mail cancelled (a recall)
    lines: list[str]  # what was done, in words (Vietnamese), for the artifact and the command line
    # the assignments made for units added (their notices are the directive's own, rendered by its dispatch)
    assignment_ids: NotRequired[list[int]]
