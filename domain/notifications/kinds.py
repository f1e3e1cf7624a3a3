"""What each kind of notification is, and on which channels it may travel.

The French title and body are written by the event that causes the notification (it knows
the amounts and names); this catalogue says which category a kind belongs to and which
channels it uses. The in-app inbox always receives every notification.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from models.notifications import Channel


class Category(StrEnum):
    TRANSACTION = "transaction"  # money moved on the young person's card
    ACCOUNT = "account"  # the account and the card themselves
    ACTIVITY = "activity"  # the partner's space: moderation, reports
    MARKETING = "marketing"  # campaigns: explicit opt-in, parental consent under 15


@dataclass(frozen=True)
class KindRule:
    category: Category
    channels: frozenset[Channel]  # besides the inbox, which receives everything
    route: str  # the app screen a tap opens


PUSH = frozenset({Channel.PUSH})
PUSH_AND_EMAIL = frozenset({Channel.PUSH, Channel.EMAIL})


KINDS: dict[str, KindRule] = {
    "card_debit": KindRule(Category.TRANSACTION, PUSH, route="transaction"),
    "card_cancelled": KindRule(Category.TRANSACTION, PUSH, route="transaction"),
    "card_regularized": KindRule(Category.TRANSACTION, PUSH_AND_EMAIL, route="transaction"),
    # The card used for a deal: no money, but the holder hears of every use of the card.
    "bon_plan_used": KindRule(Category.TRANSACTION, PUSH, route="bon_plan_use"),
    "card_opposed": KindRule(Category.ACCOUNT, PUSH_AND_EMAIL, route="card"),
    "card_replaced": KindRule(Category.ACCOUNT, PUSH_AND_EMAIL, route="card"),
    # Support staff validated or refused the holder's photo (with the refusal's reason).
    "card_photo_decision": KindRule(Category.ACCOUNT, PUSH_AND_EMAIL, route="card_photo"),
    # The partner's side of a regularisation by the hotline (the holder gets card_regularized).
    "transaction_regularized": KindRule(Category.ACTIVITY, PUSH_AND_EMAIL, route="transaction"),
    "moderation_decision": KindRule(Category.ACTIVITY, PUSH_AND_EMAIL, route="offer"),
    "post_hidden": KindRule(Category.ACTIVITY, PUSH_AND_EMAIL, route="post"),
    "report_answered": KindRule(Category.ACTIVITY, PUSH, route="report"),
    "campaign": KindRule(Category.MARKETING, PUSH_AND_EMAIL, route="campaign"),
}

DEFAULT_RULE = KindRule(Category.ACCOUNT, PUSH, route="inbox")


def rule_for(kind: str) -> KindRule:
    return KINDS.get(kind, DEFAULT_RULE)
