"""The channels a notification or a campaign can take, one module each (see base.py for what
a channel implements), and the registry that maps each `Channel` to its implementation.

The registry's order is the order of sending: push first (a phone buzzing must not wait for
an SMTP server), then email, then the inbox. It is also the order the GraphQL enum
MarketingChannel lists the channels with an opt-in.
"""

from __future__ import annotations

from domain.notifications.channels.base import DeliveryChannel
from domain.notifications.channels.email import EMAIL
from domain.notifications.channels.in_app import IN_APP
from domain.notifications.channels.push import PUSH
from models.notifications import Channel

CHANNELS: dict[Channel, DeliveryChannel] = {c.channel: c for c in (PUSH, EMAIL, IN_APP)}

if set(CHANNELS) != set(Channel):  # a Channel added to the enum but not registered here
    raise RuntimeError(f"channels without an implementation: {set(Channel) - set(CHANNELS)}")


def channel_of(channel: Channel | str) -> DeliveryChannel:
    return CHANNELS[Channel(channel)]


def with_opt_in() -> list[DeliveryChannel]:
    """The channels a person opts in to for marketing, each on its own."""
    return [c for c in CHANNELS.values() if c.opt_in_field is not None]
