"""Mail out, losing and doubling nothing: the outbox (the unit of work), building the MIME bytes, sending
batches over reused SMTP connections, the send journal and recovery after a crash, and permanent refusals
(bounces) reported to the parent unit.
"""
