"""Developer and demo tools, not needed in production: `cascade demo`, the local SMTP sink and its inbox,
synthetic national trees, a background web server, and a client that follows the links in an email.
"""
