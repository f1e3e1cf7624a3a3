"""The département's other services (Team13, CDJ, civic service, listening places…) shown beside
the deals.
"""
