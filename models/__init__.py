"""Tortoise ORM models, one module per domain. Imports nothing of ours but models/."""

MODEL_MODULES = [
    "models.accounts",
    "models.partners",
    "models.audit",
    "models.cards",
    "models.ledger",
    "models.transactions",
    "models.terminals",
    "models.notifications",
    "models.jobs",
    "models.social",
    "models.offers",
    "models.campaigns",
    "models.finance",
]
