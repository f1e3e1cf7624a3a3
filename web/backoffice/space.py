"""The back office: who is signed in, which staff roles they hold, which sections they see.

Each section belongs to staff roles (`SECTIONS`); administrators hold every role, as the
API's rules say (`Viewer.has_staff_role`). The navigation shows only the sections the
person's roles own; another section's address answers 403 in the back office's layout.
The API still checks every operation itself: a page showing too much would meet a refusal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.responses import Response

from web.pages import Visit

HOME = "/departement/"
ADMINISTRATOR = "ADMINISTRATOR"


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    path: str
    roles: frozenset[str]
    summary: str


SECTIONS = (
    Section(
        "moderation",
        "Modération",
        "/departement/moderation",
        frozenset({"MODERATION"}),
        "valider ou refuser les bons plans et événements, traiter les publications signalées.",
    ),
    Section(
        "jeunes",
        "Jeunes et cartes",
        "/departement/jeunes",
        frozenset({"SUPPORT"}),
        "retrouver un jeune ou une carte, débloquer un code, remplacer une carte perdue, "
        "valider les photos des cartes.",
    ),
    Section(
        "hotline",
        "Hotline",
        "/departement/hotline",
        frozenset({"SUPPORT"}),
        "régulariser une transaction après le jour où elle a été faite.",
    ),
    Section(
        "finance",
        "Finance",
        "/departement/finance",
        frozenset({"FINANCE"}),
        "clore les quinzaines, générer et suivre les lots de virements, valider les "
        "changements de coordonnées bancaires.",
    ),
    Section(
        "partenaires",
        "Partenaires",
        "/departement/partenaires",
        # The support manages the partners and their conventions, as the API's rules say
        # (createPartner, setPinPolicyMinimum, the lent equipment); suspending and
        # terminating stay the administrators'.
        frozenset({"SUPPORT"}),
        "retrouver et créer un partenaire, suivre sa convention, son matériel et son "
        "engagement « un bon plan par an ».",
    ),
    Section(
        "campagnes",
        "Campagnes",
        "/departement/campagnes",
        frozenset({"MARKETING"}),
        "écrire un e-mail et une notification aux jeunes d'un segment, suivre leur envoi.",
    ),
    Section(
        "import",
        "Import des collégiens",
        "/departement/import",
        frozenset({"SUPPORT", "FINANCE"}),
        "importer le fichier des collèges d'une année, voir les lignes refusées, clore l'année.",
    ),
    Section(
        "taches",
        "Tâches en échec",
        "/departement/taches",
        frozenset({ADMINISTRATOR}),
        "relancer ou clore les tâches de fond qui ont échoué.",
    ),
    Section(
        "equipe",
        "Équipe",
        "/departement/equipe",
        frozenset({ADMINISTRATOR}),
        "inviter les membres de l'équipe, leur donner ou retirer des rôles, désactiver un compte.",
    ),
    Section(
        "tableau-de-bord",
        "Tableau de bord",
        "/departement/tableau-de-bord",
        # Aggregated figures only, no one's data: every staff role may read them.
        frozenset({"MODERATION", "SUPPORT", "FINANCE", "MARKETING", ADMINISTRATOR}),
        "les chiffres du dispositif : cartes activées, dépenses, partenaires, bons plans, "
        "campagnes.",
    ),
)
BY_KEY = {section.key: section for section in SECTIONS}


@dataclass
class StaffSpace:
    """The signed-in staff member as the back office sees them."""

    me: dict[str, Any]

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(self.me.get("staffRoles") or [])

    @property
    def is_staff(self) -> bool:
        return self.me.get("kind") == "STAFF"

    def owns(self, section: Section) -> bool:
        return self.is_staff and (ADMINISTRATOR in self.roles or bool(section.roles & self.roles))

    @property
    def sections(self) -> list[Section]:
        return [s for s in SECTIONS if self.owns(s)]


async def enter(
    visit: Visit, section: str | None, operation: str = "staff_space", **variables: Any
) -> tuple[StaffSpace, dict[str, Any]] | Response:
    """Run a page's operation (it spreads StaffSpaceViewer under `me`) and place the visitor
    in the back office; a response instead when they must sign in or may not be here."""
    if not visit.signed_in:
        return visit.to_sign_in()
    # The section's owner is checked before its own operation runs: a person without the
    # role meets the back office's 403, not the API's refusal of the first field.
    first = await visit.run("staff_space")
    space = StaffSpace(first.get("me") or {})
    if not space.is_staff or (section is not None and not space.owns(BY_KEY[section])):
        return forbidden(visit, space)
    if operation == "staff_space":
        return space, first
    return space, await visit.run(operation, **variables)


def forbidden(visit: Visit, space: StaffSpace) -> Response:
    return visit.render("backoffice/forbidden.html", status=403, space=space, tab=None)
