"""People's accounts: registration, email links, passwords, sessions and tokens, sign-in
throttling, and the viewer (who is asking).
"""
