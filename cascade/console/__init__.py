"""The console's work on directives before and at launch: an upload read into a draft (a directive file), its
preview against the tree and the calendar, its corrections, and the one claim that launches it."""
