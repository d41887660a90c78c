"""Mail out, losing nothing and repeating only where SMTP leaves a doubt (docs/guarantees.md): the outbox (the unit
of work), building the MIME bytes, sending batches over reused SMTP connections, the send journal, the relay's
acceptance records and recovery after a crash, and permanent refusals (bounces) reported to the parent unit.
"""
