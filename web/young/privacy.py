"""`/mon-espace/fermer-mon-compte`: the young person closes their account (GDPR art. 17):
GET explains what goes and what stays, POST with the password runs `closeMyAccount`, and
the session ends with it."""

from __future__ import annotations

from starlette.responses import Response

from web.graphql import user_error
from web.pages import Visit
from web.young.space import enter


async def close_account(visit: Visit) -> Response:
    data = await enter(visit, "young_space")
    if isinstance(data, Response):
        return data
    me = data["me"]
    if visit.request.method != "POST":
        return visit.render("young/close_account.html", tab=None, me=me, errors={})
    password = visit.raw_field("mot_de_passe")
    if not password:
        errors = {"mot_de_passe": "Saisissez votre mot de passe pour confirmer."}
    else:
        answer = (await visit.run("close_my_account", password=password))["closeMyAccount"]
        refused = user_error(answer)
        if refused is None:
            visit.end_session()
            return visit.render("young/account_closed.html")
        errors = {"mot_de_passe": refused.message}
    return visit.render("young/close_account.html", status=400, tab=None, me=me, errors=errors)


async def request_my_data(visit: Visit) -> Response:
    """A copy of my data: the API's job builds it and emails the link."""
    data = await enter(visit, "young_space")
    if isinstance(data, Response):
        return data
    answer = (await visit.run("request_my_data"))["requestMyData"]
    refused = user_error(answer)
    if refused is not None:
        return visit.render("errors/failed.html", status=400, message=refused.message)
    return visit.redirect("/mon-espace/?donnees=demandees")
