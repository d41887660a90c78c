"""What each recipient is sent: assignments for a directive's recipients, notices rendered once per shape and
filled in per unit, and the signed links (tokens) in them.
"""
