"""What each kind of notification is, and on which channels it may travel.

The French title and body are written by the event that causes the notification (it knows
the amounts and names); this catalogue says which category a kind belongs to and which
channels it uses. The in-app inbox always receives every notification.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Category(StrEnum):
    TRANSACTION = "transaction"  # money moved on the young person's card
    ACCOUNT = "account"  # the account and the card themselves
    ACTIVITY = "activity"  # the partner's space: moderation, reports
    MARKETING = "marketing"  # campaigns: explicit opt-in, parental consent under 15


@dataclass(frozen=True)
class KindRule:
    category: Category
    push: bool
    email: bool
    route: str  # the app screen a tap opens


KINDS: dict[str, KindRule] = {
    "card_debit": KindRule(Category.TRANSACTION, push=True, email=False, route="transaction"),
    "card_cancelled": KindRule(Category.TRANSACTION, push=True, email=False, route="transaction"),
    "card_regularized": KindRule(Category.TRANSACTION, push=True, email=True, route="transaction"),
    "card_opposed": KindRule(Category.ACCOUNT, push=True, email=True, route="card"),
    "card_replaced": KindRule(Category.ACCOUNT, push=True, email=True, route="card"),
    "moderation_decision": KindRule(Category.ACTIVITY, push=True, email=True, route="offer"),
    "post_hidden": KindRule(Category.ACTIVITY, push=True, email=True, route="post"),
    "report_answered": KindRule(Category.ACTIVITY, push=True, email=False, route="report"),
    "campaign": KindRule(Category.MARKETING, push=True, email=True, route="campaign"),
}

DEFAULT_RULE = KindRule(Category.ACCOUNT, push=True, email=False, route="inbox")


def rule_for(kind: str) -> KindRule:
    return KINDS.get(kind, DEFAULT_RULE)
