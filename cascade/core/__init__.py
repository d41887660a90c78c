"""The ground every other package stands on: the one `Settings`, the database engine and sessions, input
errors that name file, line and field, the clock and the working-day calendar (Asia/Ho_Chi_Minh), strict YAML
reading, SQL helpers that behave the same on SQLite and PostgreSQL, and the fault-injection points the fault
bench uses. Nothing here knows what a directive is.
"""
