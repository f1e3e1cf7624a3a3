"""Notifications: the inbox row, its kinds, the user's channel preferences, devices, the
channels (channels/: push, email, the inbox, one module each) and delivery on them.
"""
