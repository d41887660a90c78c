"""A directive as data: the directive file (parse, validate against the tree), document numbers and symbols,
what it asks to be reported (indicators, cycles, the chasing ladder), deadline budgeting down the levels, its
tasks as tracked items, storing it once, and importing a Decree-30 document (`docimport`).
"""
