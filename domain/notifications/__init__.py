"""Notifications: the inbox row, its kinds, the user's channel preferences, devices, and delivery
by push and email.
"""
