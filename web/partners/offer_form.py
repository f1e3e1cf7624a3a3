"""The deal and event form: what the partner typed, as the page shows it back and as the
API's `BonPlanInput`, `EventInput` or `OfferChanges` receives it.

The form's field names are its fields' ids (`#titre`, `#lieu-0-rue`, `#seance-1-debut`);
the API names a refused field in its own words (`places[0].postalCode`), which
`field_of_api` turns into the form's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from web.formatting import instant, paris_today
from web.pages import Visit

MAX_VISUALS = 2
NEW_VISUALS = ("nouveau-visuel-1", "nouveau-visuel-2")
PLACE_PARTS = ("nom", "rue", "cp", "ville")
SESSION_PARTS = ("jour", "debut", "fin")
MAX_ROWS = 20  # rows of places or dates one form shows

DEAL_TYPES = {
    "DISCOUNT_EUROS": ("Réduction en euros", "Un montant déduit du prix, par exemple 5 €."),
    "DISCOUNT_PERCENT": ("Réduction en pourcentage", "Par exemple −20 % sur un article."),
    "PROMO_CODE": ("Code promo", "Un code que le jeune saisit sur votre site."),
    "CONTEST": ("Jeu concours, cadeaux à gagner", "Un tirage au sort parmi les participants."),
    "GOODIES": ("Goodies", "Un objet offert : affiche, gourde, badge…"),
    "LIMITED_SERVICE": ("Service", "Un service offert ou réduit, à validité limitée."),
}
THEMES = {
    "LOISIRS": ("Loisirs", False),
    "SPORT": ("Sport", False),
    "CULTURE": ("Culture", False),
    "SOUTIEN_SCOLAIRE": ("Soutien scolaire", False),
    "TOURISME": ("Tourisme", True),  # 18–25 ans only
    "INSERTION_PROFESSIONNELLE": ("Insertion professionnelle", True),
}
EVENT_KINDS = {
    "MANIFESTATION": "Manifestation",
    "FESTIVAL": "Festival",
    "STAGE": "Stage",
    "CONCERT": "Concert",
    "SPECTACLE": "Spectacle",
    "EXPOSITION": "Exposition",
    "ATELIER": "Atelier",
    "COMPETITION": "Compétition",
    "AUTRE": "Autre",
}
_TEXT_FIELDS = {
    "title": "titre",
    "description": "description",
    "theme": "theme",
    "dealType": "type",
    "eventKind": "genre",
    "discountAmount": "montant",
    "discountPercent": "pourcentage",
    "promoCode": "code-promo",
    "validFrom": "debut",
    "validUntil": "fin",
    "practicalInfo": "infos",
    "conditions": "conditions",
    "imageIds": "visuels",
    "file": "visuels",
    "sessions": "seance-0-jour",
    "places": "lieu-0-rue",
}
_PLACE_FIELD = re.compile(r"places\[(\d+)\]\.(\w+)")
_PLACE_PARTS_OF_API = {"label": "nom", "street": "rue", "postalCode": "cp", "city": "ville"}


def field_of_api(name: str | None) -> str:
    """The form's field for the API's field name; "general" when it has none."""
    if not name:
        return "general"
    found = _PLACE_FIELD.fullmatch(name)
    if found:
        return f"lieu-{found.group(1)}-{_PLACE_PARTS_OF_API.get(found.group(2), 'rue')}"
    return _TEXT_FIELDS.get(name, "general")


@dataclass
class OfferForm:
    kind: str  # DEAL or EVENT
    values: dict[str, str] = field(default_factory=dict)
    places: list[dict[str, str]] = field(default_factory=list)
    sessions: list[dict[str, str]] = field(default_factory=list)
    visuals: list[dict[str, str]] = field(default_factory=list)  # {"id", "url"}
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def is_deal(self) -> bool:
        return self.kind == "DEAL"

    @property
    def free_visual_slots(self) -> list[str]:
        return list(NEW_VISUALS[: max(0, MAX_VISUALS - len(self.visuals))])

    def value(self, name: str) -> str:
        return self.values.get(name, "")

    # --- from what exists ---------------------------------------------------------------

    @classmethod
    def empty(cls, kind: str) -> OfferForm:
        form = cls(kind, places=[dict.fromkeys(PLACE_PARTS, "")])
        if kind == "EVENT":
            form.sessions = [dict.fromkeys(SESSION_PARTS, "") for _ in range(2)]
        return form

    @classmethod
    def of_revision(cls, kind: str, revision: dict[str, Any]) -> OfferForm:
        form = cls(kind)
        form.values = {
            "titre": revision["title"],
            "description": revision["description"],
            "theme": revision["theme"],
            "type": revision.get("dealType") or "",
            "genre": revision.get("eventKind") or "",
            "montant": (revision.get("discountAmount") or "")
            .replace("\u202f", "")
            .replace(" €", ""),
            "pourcentage": str(revision.get("discountPercent") or ""),
            "code-promo": revision.get("promoCode") or "",
            "debut": revision["validFrom"],
            "fin": revision["validUntil"],
            "infos": revision["practicalInfo"],
            "conditions": revision["conditions"],
        }
        form.places = [
            {"nom": p["label"], "rue": p["street"], "cp": p["postalCode"], "ville": p["city"]}
            for p in revision["places"]
        ] or [dict.fromkeys(PLACE_PARTS, "")]
        for session in revision["sessions"]:
            starts, ends = instant(session["startsAt"]), instant(session["endsAt"])
            form.sessions.append(
                {
                    "jour": starts.date().isoformat(),
                    "debut": starts.strftime("%H:%M"),
                    "fin": ends.strftime("%H:%M"),
                }
            )
        form.visuals = [{"id": i["id"], "url": i["url"]} for i in revision["images"]]
        return form

    @classmethod
    def of_visit(cls, kind: str, visit: Visit) -> OfferForm:
        form = cls(kind)
        for name in (
            "titre", "description", "theme", "type", "genre", "montant", "pourcentage",
            "code-promo", "debut", "fin", "infos", "conditions",
        ):  # fmt: skip
            form.values[name] = visit.field(name)
        form.places = _rows(visit, "lieu", "lieux", PLACE_PARTS)
        if kind == "EVENT":
            form.sessions = _rows(visit, "seance", "seances", SESSION_PARTS)
        kept = [v for v in visit.form.getlist("visuel") if isinstance(v, str) and v]
        form.visuals = [
            {"id": i, "url": visit.field(f"visuel-url-{i}")} for i in dict.fromkeys(kept)
        ]
        return form

    # --- to the API ---------------------------------------------------------------------

    def api_input(self, *, creating: bool) -> dict[str, Any]:
        """The GraphQL input; page-level errors (unreadable dates, times) go to `errors`."""
        v = self.values
        data: dict[str, Any] = {
            "title": v.get("titre", ""),
            "description": v.get("description", ""),
            "practicalInfo": v.get("infos", ""),
            "conditions": v.get("conditions", ""),
            "imageIds": [visual["id"] for visual in self.visuals],
            "places": [
                {"label": p["nom"], "street": p["rue"], "postalCode": p["cp"], "city": p["ville"]}
                for p in self.places
                if any(p.values())
            ],
        }
        if v.get("theme") in THEMES:
            data["theme"] = v["theme"]
        elif creating or v.get("theme"):
            self.errors.setdefault("theme", "Choisissez une thématique.")
        if self.is_deal:
            self._deal_input(data, creating)
        else:
            self._event_input(data, creating)
        return data

    def _deal_input(self, data: dict[str, Any], creating: bool) -> None:
        v = self.values
        deal_type = v.get("type", "")
        if deal_type in DEAL_TYPES:
            data["dealType"] = deal_type
        elif creating or deal_type:
            self.errors.setdefault("type", "Choisissez le type de bon plan.")
        if deal_type == "DISCOUNT_EUROS":
            data["discountAmount"] = v.get("montant", "")
        elif deal_type == "DISCOUNT_PERCENT":
            percent = v.get("pourcentage", "").rstrip("%").strip()
            if percent.isdigit():
                data["discountPercent"] = int(percent)
            else:
                self.errors["pourcentage"] = "Indiquez un pourcentage entier, de 1 à 100."
        elif deal_type == "PROMO_CODE":
            data["promoCode"] = v.get("code-promo", "")
        for name, key, label in (("debut", "validFrom", "début"), ("fin", "validUntil", "fin")):
            day = _date(v.get(name, ""))
            if day is None:
                self.errors[name] = f"Indiquez la date de {label} de validité (JJ/MM/AAAA)."
            else:
                data[key] = day.isoformat()

    def _event_input(self, data: dict[str, Any], creating: bool) -> None:
        v = self.values
        if v.get("genre") in EVENT_KINDS:
            data["eventKind"] = v["genre"]
        elif creating or v.get("genre"):
            self.errors.setdefault("genre", "Choisissez le type d'événement.")
        sessions = []
        for index, row in enumerate(self.sessions):
            if not any(row.values()):
                continue
            day, opens, closes = _date(row["jour"]), _time(row["debut"]), _time(row["fin"])
            name = f"seance-{index}"
            if day is None:
                self.errors[f"{name}-jour"] = f"Date n° {index + 1} : indiquez le jour."
            elif opens is None:
                self.errors[f"{name}-debut"] = f"Date n° {index + 1} : indiquez l'heure de début."
            elif closes is None:
                self.errors[f"{name}-fin"] = f"Date n° {index + 1} : indiquez l'heure de fin."
            elif closes <= opens:
                self.errors[f"{name}-fin"] = f"Date n° {index + 1} : la fin doit suivre le début."
            else:
                sessions.append(
                    {
                        "startsAt": datetime.combine(day, opens).isoformat(),
                        "endsAt": datetime.combine(day, closes).isoformat(),
                    }
                )
        if not sessions and not any(k.startswith("seance-") for k in self.errors):
            self.errors["seance-0-jour"] = "Indiquez au moins une date pour l'événement."
        data["sessions"] = sessions

    def last_day(self) -> date | None:
        """The last day the offer is valid, as typed (to refuse submitting a past one)."""
        if self.is_deal:
            return _date(self.values.get("fin", ""))
        days = [_date(row["jour"]) for row in self.sessions]
        known = [d for d in days if d is not None]
        return max(known) if known else None

    def check_not_past(self) -> None:
        last = self.last_day()
        if last is not None and last < paris_today():
            name = "fin" if self.is_deal else "seance-0-jour"
            self.errors.setdefault(
                name, "Cette période est déjà passée : choisissez des dates à venir."
            )


def _rows(
    visit: Visit, prefix: str, count_field: str, parts: tuple[str, ...]
) -> list[dict[str, str]]:
    count = visit.field(count_field)
    total = min(int(count), MAX_ROWS) if count.isdigit() else 1
    return [
        {part: visit.field(f"{prefix}-{index}-{part}") for part in parts} for index in range(total)
    ]


def _date(text: str) -> date | None:
    text = text.strip()
    try:
        if re.fullmatch(r"\d{2}/\d{2}/\d{4}", text):  # typed in a browser without a date picker
            return datetime.strptime(text, "%d/%m/%Y").date()
        return date.fromisoformat(text)
    except ValueError:
        return None


def _time(text: str) -> time | None:
    try:
        return time.fromisoformat(text.strip().replace("h", ":")) if text.strip() else None
    except ValueError:
        return None
