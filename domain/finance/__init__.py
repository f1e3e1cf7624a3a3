"""Paying partners: fortnightly periods, reimbursements, SEPA payment batches, bank details,
statements (PDF, CSV) and their download links, the evening collection report and
reconciliation.
"""
