"""Where a directive stands. One implementation of each part, for small and big directives alike:

- summary.py: every figure (counts by status, per level, progress, overdue), computed by the database;
- page.py: the rows of the recipients, from one query: pages, filters, export chunks, the late lists;
- tree.py: those rows in tree order for a small directive (what `cascade status` prints), find a directive;
- export.py: CSV/XLSX; rollup.py: report figures rolled up the tree; oversight.py: today, a unit's history.
"""
