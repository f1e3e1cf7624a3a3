"""The till, « Effectuer une transaction » (`/partenaires/caisse`).

1. The card field (`#card-code`) takes a code typed by hand, a QR URL typed by a USB reader
   (restored when an AZERTY layout garbled it: card_input.py) or one read by the camera
   (static/js/till.js with jsQR). POST /partenaires/caisse runs `lookupCard`.
2. The holder is shown for the identity check, with the card's state and the wallets this
   partner may debit. The debit form carries the card's code, the wallet, the amount in
   French form, the PIN where the partner's policy asks for it, and an idempotency key
   made when the form is drawn: a double click or a retried POST sends the same key and
   the API answers the first transaction instead of debiting twice.
3. The partner's bons plans the holder may use are listed with a button each: POST
   /partenaires/caisse/bon-plan runs `recordBonPlanUse` (no money moves), once per drawn
   button. (Their API comes with h19-dealuse: until the schema has it, the list is not
   asked for.)
4. POST /partenaires/caisse/paiement runs `debitCard`; success shows the transaction, the
   wallet's new balance, a link to the printable ticket, and the card field again, focused.
   A refusal shows the API's French message next to its field.

With JavaScript, htmx posts the same forms and swaps `#till` with the answer's fragment;
those requests skip the header's `me` read (the acting partner is in the session), which
keeps the till's round trip close to the bare GraphQL cost. Without it, each POST answers
the whole page. Form errors answer 422.

Stable selectors (the browser tests rely on them): the card field `#card-code` (name
`code`) and its button `#lookup-button` « Rechercher la carte »; the camera button
`#scan-button`; the holder `#holder`; the wallet radios named `wallet`
(`#wallet-<KIND>`); the amount `#amount`; the PIN `#pin`; the button `#pay-button`
« Valider le paiement »; the success panel `#payment-done` with `#ticket-link`; each
field's error `#<field id>-erreur`; a card refusal `#card-refusal`. Bons plans (where the
API has them): the list `#bons-plans`, one `#bon-plan-<id>` per deal with its button
« Enregistrer l'utilisation », the refusal `#bons-plans-erreur`, the success `#deal-done`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from starlette.responses import Response

from web.graphql import UserError, user_error
from web.pages import Visit
from web.partners.card_input import card_text
from web.partners.space import TRANSACTIONS, PartnerSpace, acting_partner_id, enter

# The API's input field -> the form's field id.
_FIELDS = {"amount": "amount", "walletKind": "wallet", "pin": "pin", "code": "card-code"}
INVALID_STATUS = 422


@dataclass
class DebitForm:
    wallet: str = ""
    amount: str = ""
    key: str = field(default_factory=lambda: uuid.uuid4().hex)  # one per attempt
    errors: dict[str, str] = field(default_factory=dict)


@dataclass
class TillView:
    """What the till shows: the card field, then a lookup's answer or a payment's."""

    typed: str = ""
    card_error: str | None = None
    check: dict[str, Any] | None = None
    debit: DebitForm = field(default_factory=DebitForm)
    done: dict[str, Any] | None = None
    deal_done: dict[str, Any] | None = None  # a bon plan's use just recorded
    deal_error: str | None = None

    @staticmethod
    def new_key() -> str:
        """An idempotency key for one form drawn (each deal's button has its own)."""
        return uuid.uuid4().hex

    @property
    def usable(self) -> bool:
        return self.check is not None and self.check["state"] == "ACTIVE"


def _render(visit: Visit, space: PartnerSpace | None, view: TillView, status: int) -> Response:
    if space is None:  # htmx: the till's body only
        return visit.render("partners/_till.html", status=status, till=view)
    return visit.render("partners/till.html", status=status, space=space, tab="till", till=view)


async def _space(visit: Visit) -> tuple[PartnerSpace | None, str] | Response:
    """The partner space for a whole page, or (None, partner) for an htmx request."""
    if visit.is_htmx and visit.signed_in:
        partner_id = acting_partner_id(visit)
        if partner_id is not None:
            return None, partner_id
    entered = await enter(visit)
    if isinstance(entered, Response):
        return entered
    space = entered[0]
    if not space.may(TRANSACTIONS):
        return visit.render("errors/forbidden.html", status=403)
    return space, space.partner_id


async def till_page(visit: Visit) -> Response:
    placed = await _space(visit)
    if isinstance(placed, Response):
        return placed
    space, _ = placed
    return _render(visit, space, TillView(), 200)


async def _lookup(visit: Visit, partner_id: str, typed: str, view: TillView) -> None:
    operation = "lookup_card_bons_plans" if visit.web.bons_plans else "lookup_card"
    answer = (await visit.run(operation, partnerId=partner_id, code=card_text(typed)))["lookupCard"]
    error = user_error(answer)
    if error is not None:
        view.card_error = error.message
        return
    view.check = answer
    view.typed = answer["cardCode"]
    wallets = answer["wallets"]
    if len(wallets) == 1:
        view.debit.wallet = view.debit.wallet or wallets[0]["kind"]


async def lookup(visit: Visit) -> Response:
    placed = await _space(visit)
    if isinstance(placed, Response):
        return placed
    space, partner_id = placed
    view = TillView(typed=visit.field("code"))
    if not view.typed:
        view.card_error = "Saisissez ou scannez le code de la carte."
        return _render(visit, space, view, INVALID_STATUS)
    await _lookup(visit, partner_id, view.typed, view)
    return _render(visit, space, view, INVALID_STATUS if view.card_error else 200)


def _checked(visit: Visit, form: DebitForm) -> dict[str, str]:
    errors = {}
    if form.wallet not in visit.web.operations.enum_values("WalletKind"):
        errors["wallet"] = "Choisissez le porte-monnaie à débiter."
    if not form.amount:
        errors["amount"] = "Saisissez le montant à débiter, par exemple 10,55."
    return errors


async def pay(visit: Visit) -> Response:
    placed = await _space(visit)
    if isinstance(placed, Response):
        return placed
    space, partner_id = placed
    code = visit.field("code")
    if not code:
        return visit.redirect("/partenaires/caisse")
    form = DebitForm(
        wallet=visit.field("wallet"),
        amount=visit.field("amount"),
        key=visit.field("idempotency_key") or uuid.uuid4().hex,
    )
    form.errors = _checked(visit, form)
    if not form.errors:
        pin = visit.field("pin")
        debit = {
            "partnerId": partner_id,
            "code": code,
            "walletKind": form.wallet,
            "amount": form.amount,
            "idempotencyKey": form.key,
            "pin": pin or None,
            "channel": "TILL",
        }
        answer = (await visit.run("debit_card", input=debit))["debitCard"]
        error = user_error(answer)
        if error is None:
            return _render(visit, space, TillView(done=answer), 200)
        form.errors = _refusal(error)
    # Refused: the holder again (the card may have changed: locked by a wrong PIN), with the
    # amount and wallet kept, the errors next to their fields and a new key for the next try.
    view = TillView(typed=code, debit=DebitForm(wallet=form.wallet, amount=form.amount))
    view.debit.errors = form.errors
    await _lookup(visit, partner_id, code, view)
    return _render(visit, space, view, INVALID_STATUS)


def _refusal(error: UserError) -> dict[str, str]:
    return {_FIELDS.get(error.field or "", "form"): error.message}


async def use_bon_plan(visit: Visit) -> Response:
    """Records the holder's use of one of the partner's deals (`recordBonPlanUse`): no money
    moves; the key drawn with the deal's button makes a double click record it once."""
    placed = await _space(visit)
    if isinstance(placed, Response):
        return placed
    space, partner_id = placed
    code, deal = visit.field("code"), visit.field("bon_plan")
    if not code or not deal:
        return visit.redirect("/partenaires/caisse")
    use = {
        "cardCode": code,
        "bonPlanId": deal,
        "idempotencyKey": visit.field("idempotency_key") or uuid.uuid4().hex,
        "channel": "TILL",
    }
    answer = (await visit.run("record_bon_plan_use", input=use))["recordBonPlanUse"]
    error = user_error(answer)
    if error is None:
        return _render(visit, space, TillView(deal_done=answer), 200)
    view = TillView(typed=code, deal_error=error.message)
    await _lookup(visit, partner_id, code, view)
    return _render(visit, space, view, INVALID_STATUS)
