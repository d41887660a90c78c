"""A directive's life after launch: recall (thu hồi), amendment (đính chính), replacement (thay thế) and more
recipients (bổ sung nơi nhận). Plain functions on a session, called by the CLI (cascade/cli/lifecycle.py) and the
Prefect tasks (tasks/lifecycle.py); the flows that run them are flows/recall.py, amend.py, replace.py and
add_recipients.py.

- received.py: the units that have a directive (and the pass-ons issued under it), one notice each;
- notices.py: the notices that tell them, through the outbox, and the mail cancelled when a directive is recalled;
- recall.py, answers.py: a recall (edXML 13) and each unit's answer from its link (15 agreed, 16 refused);
- closed.py: what a link of a recalled or replaced directive shows instead of its page;
- changes.py, amend.py, amend_deadlines.py, reacknowledge.py: a new version of a directive, what it changed
  in words, the deadlines it moves down the tree, and units asked to confirm it again;
- replace.py: telling the units of a replaced directive what replaced it;
- add_recipients.py: the directive sent to more units, their deadlines counted from the day they receive it.
Closing itself (and the subtree of implementing directives) is cascade/directives/closing.py's, so that storing a
replacement closes the old directive however it is launched."""
