"""The organisation tree: its file (parse, validate, import) and restructuring (a dissolved or merged unit's
open work moves to its successor).
"""
