"""The official document itself: its Decree-30 layout (on a page, in an email, as a .docx) and its signed original."""
