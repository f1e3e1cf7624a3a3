"""Cards and money: issuing and activating cards, codes and states, the till's lookups, debits and
cancellations, the double-entry ledger, receipts, the school year, the yearly import of middle-
schoolers and the year end.
"""
