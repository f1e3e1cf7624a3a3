"""The PIN rule: the stronger of the minimum and the choice, applied per channel."""

from __future__ import annotations

import pytest

from domain.accounts.viewer import Viewer
from domain.core.errors import DomainError, ErrorCode
from domain.partners.pin_policy import (
    PaymentChannel,
    choose_level,
    effective_pin_policy,
    impose_minimum,
    pin_required,
)
from models.accounts import StaffRole
from models.partners import Delegate, Partner, PinPolicy
from tests.factories import partner_team, staff_member

NONE, TERMINALS, EVERY_TILL = PinPolicy.NONE, PinPolicy.TERMINALS, PinPolicy.EVERY_TILL
TILL, TERMINAL = PaymentChannel.TILL, PaymentChannel.TERMINAL


@pytest.mark.parametrize(
    ("minimum", "chosen", "effective"),
    [
        (NONE, NONE, NONE),
        (NONE, TERMINALS, TERMINALS),
        (NONE, EVERY_TILL, EVERY_TILL),
        (TERMINALS, NONE, TERMINALS),
        (TERMINALS, EVERY_TILL, EVERY_TILL),
        (EVERY_TILL, NONE, EVERY_TILL),
        (EVERY_TILL, TERMINALS, EVERY_TILL),
    ],
)
def test_the_stronger_level_applies(minimum, chosen, effective):
    partner = Partner(pin_policy_minimum=minimum, pin_policy_chosen=chosen)
    assert effective_pin_policy(partner) == effective


@pytest.mark.parametrize(
    ("level", "at_till", "at_terminal"),
    [(NONE, False, False), (TERMINALS, False, True), (EVERY_TILL, True, True)],
)
def test_each_level_asks_on_its_channels(level, at_till, at_terminal):
    # The level may come from either side: the rule reads only the effective one.
    for partner in (
        Partner(pin_policy_minimum=level, pin_policy_chosen=NONE),
        Partner(pin_policy_minimum=NONE, pin_policy_chosen=level),
    ):
        assert pin_required(partner, TILL) is at_till
        assert pin_required(partner, TERMINAL) is at_terminal


def test_a_level_read_back_as_text_is_understood():
    # Rows read by hand-written SQL may carry the stored text rather than the enum.
    partner = Partner(pin_policy_minimum="terminals", pin_policy_chosen="none")
    assert pin_required(partner, TERMINAL) and not pin_required(partner, TILL)


@pytest.mark.usefixtures("settings")
async def test_the_domain_refuses_whoever_the_api_would_refuse():
    """The rules hold for any caller of domain/ (a job, a page), not only the API's."""
    team, other = await partner_team(), await partner_team(name="Autre")
    principal_of_other = await Delegate.get(partner_id=other.partner.id, is_principal=True)
    outsiders = [
        Viewer(),
        Viewer(user=await staff_member(StaffRole.FINANCE)),
        Viewer(user=other.principal, delegations={other.partner.id: principal_of_other}),
    ]
    for viewer in outsiders:
        for change in (impose_minimum, choose_level):
            with pytest.raises(DomainError) as refused:
                await change(viewer, team.partner.id, EVERY_TILL)
            assert refused.value.code == ErrorCode.FORBIDDEN
    support = Viewer(user=await staff_member(StaffRole.SUPPORT))
    with pytest.raises(DomainError):  # the support staff set the minimum, not the choice
        await choose_level(support, team.partner.id, EVERY_TILL)
    assert (await impose_minimum(support, team.partner.id, TERMINALS)).pin_policy_minimum == (
        TERMINALS
    )
    partner = await Partner.get(id=team.partner.id)
    assert (partner.pin_policy_minimum, partner.pin_policy_chosen) == (TERMINALS, NONE)
