"""What every capability shares: the clock, expected errors, money at the edges, pagination
cursors, the transaction with after-commit effects, the audit trail, uploaded images, failed
jobs and set-based SQL.
"""
