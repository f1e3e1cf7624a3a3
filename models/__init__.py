"""Tortoise ORM models, one module per domain. Imports nothing of ours but models/."""

MODEL_MODULES = [
    "models.accounts",
    "models.partners",
    "models.audit",
]
