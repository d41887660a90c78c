"""Where a directive stands: its figures computed by the database, pages of its recipients, the tree of the
directives issued below it, what a supervisor watches (late units, a unit's history) and the CSV/XLSX exports.
"""
