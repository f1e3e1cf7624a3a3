"""What every channel implements (`DeliveryChannel`), and the results it gives back.

A channel is one way of reaching a person: the app's inbox, push on their phones, email. Its
module (email.py, push.py, in_app.py beside this one) says where the person can be reached,
how a notification and a campaign are rendered and sent there, and what marketing on it needs;
the code that plans deliveries, counts and sends campaigns, records consent and serves the
unsubscribe link asks the registry (`domain.notifications.channels.CHANNELS`) instead of
naming channels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol
from uuid import UUID

from models.accounts import User
from models.campaigns import Campaign
from models.notifications import Channel, NotificationDelivery


class Verdict(StrEnum):
    SENT = "sent"
    FAILED = "failed"  # for good: the address is gone or refused
    RETRY = "retry"  # a passing failure: try again later (failed after MAX_ATTEMPTS)


@dataclass(frozen=True)
class Delivered:
    """What became of one notification delivery."""

    verdict: Verdict
    reason: str | None = None


SENT = Delivered(Verdict.SENT)

#: How a failed campaign row whose address the receiving server refused (a hard bounce)
#: begins its reason: the campaign's progress counts these as bounced.
ADDRESS_REFUSED = "adresse refusée par le serveur de messagerie"


class CampaignOutcomes(Protocol):
    """The outcomes of one campaign batch (domain/campaigns/sending.py's `Outcomes`): each
    recipient row is sent, failed, skipped or later (a passing failure), then written."""

    @property
    def record_every(self) -> int: ...  # rows in flight between two writes

    def sent(self, row: Any) -> None: ...

    def failed(self, row: Any, reason: str) -> None: ...

    def skipped(self, row: Any, reason: str) -> None: ...

    def later(self, row: Any, reason: str) -> None: ...

    async def write(self, connection: Any = None, *, at_least: int = 0) -> None: ...


#: A claimed recipient row of a campaign and the person it is for.
Recipient = tuple[Any, User]


class DeliveryChannel(Protocol):
    """One channel. Attributes are plain data; the methods do the channel's I/O."""

    # Read-only members (properties here) so that each channel may state them as plain class
    # attributes of a narrower type: push's opt_in_field is a str, the inbox's is None.
    @property
    def channel(self) -> Channel: ...

    @property
    def preference_field(self) -> str | None:
        """The User column saying whether notifications other than marketing take this
        channel (notify_by_push); None: they always do (the inbox)."""

    @property
    def opt_in_field(self) -> str | None:
        """The User column of the person's marketing opt-in on this channel; None: the
        channel has no opt-in of its own and follows the others (the inbox: opted in
        anywhere)."""

    @property
    def marketing_wording(self) -> str:
        """How the unsubscribe page names marketing on this channel ("par e-mail")."""
        ...

    @property
    def audience_sql(self) -> str | None:
        """A SQL condition on `users u` a campaign recipient must also meet: an address on
        this channel (push: a registered device); None when every account has one."""

    @property
    def parallel_batches(self) -> bool:
        """Whether a campaign runs CAMPAIGN_PARALLEL_BATCHES batch jobs on this channel at
        once (the inbox writes rows in the database: one job is enough)."""
        ...

    def targets(self, user: User, device_ids: Sequence[UUID]) -> list[str]:
        """Where a notification to `user` goes on this channel: one delivery row per target
        (a device id, or "email"); none when the notification itself is the message."""
        ...

    async def deliver(self, deliveries: Sequence[NotificationDelivery]) -> list[Delivered]:
        """Send claimed notification deliveries (with `notification__user` loaded), one
        result per delivery, in order."""
        ...

    async def send_campaign(
        self, campaign: Campaign, people: Sequence[Recipient], outcomes: CampaignOutcomes
    ) -> None:
        """Send one batch of a campaign to people still eligible; record each row's outcome
        in `outcomes`, writing them every `outcomes.record_every` rows or so."""
        ...
