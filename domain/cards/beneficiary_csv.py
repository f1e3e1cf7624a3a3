"""Reading the schools' CSV export of middle-schoolers: one checked row at a time.

A row is either a `Pupil` or a `RejectedRow` saying, in French, why and on which line of the
file (the header being line 1). Nothing here touches the database.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from domain.core import clock
from domain.core.errors import invalid
from domain.core.text import visible_text
from models.cards import SchoolYear

MIN_AGE, MAX_AGE = 9, 17  # on the first day of school
# Header names compared without case, accents, spaces or punctuation.
_COLUMNS = {
    "identifiant": ("identifiant", "ine"),
    "nom": ("nom",),
    "prenom": ("prenom",),
    "date_naissance": ("datenaissance", "datedenaissance"),
    "etablissement": ("etablissement",),
    "commune": ("commune", "codecommune", "codeinsee"),
}
_IDENTIFIER = re.compile(r"[A-Z0-9]{5,32}")
_FRENCH_DATE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_COMMUNE = re.compile(r"[0-9]{5}")


@dataclass(frozen=True)
class RejectedRow:
    line: int  # in the file, the header being line 1
    reason: str


@dataclass(frozen=True)
class Pupil:
    line: int
    identifier: str
    last_name: str
    first_name: str
    birth_date: date
    school_name: str | None
    commune_code: str


# Reading the file


def data_rows(csv_text: str) -> Iterator[tuple[int, dict[str, str] | RejectedRow]]:
    """(line where the row starts, its values by column) for each row that is not blank."""
    text = csv_text.removeprefix("\ufeff")
    header_line = text.split("\n", 1)[0]
    delimiter = ";" if header_line.count(";") >= header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    positions = _column_positions(next(reader, []))
    width = max(positions.values()) + 1
    next_line = reader.line_num + 1
    for values in reader:
        line, next_line = next_line, reader.line_num + 1  # a quoted field may span lines
        if not any(value.strip() for value in values):
            continue
        if len(values) < width:
            yield (
                line,
                RejectedRow(line, f"ligne incomplète : {len(values)} colonnes au lieu de {width}"),
            )
        else:
            yield line, {name: values[position].strip() for name, position in positions.items()}


def _column_positions(header: list[str]) -> dict[str, int]:
    found = {_header_key(name): position for position, name in reversed(list(enumerate(header)))}
    positions: dict[str, int] = {}
    missing = []
    for column, aliases in _COLUMNS.items():
        position = next((found[alias] for alias in aliases if alias in found), None)
        if position is None:
            missing.append(column)
        else:
            positions[column] = position
    if missing:
        raise invalid(
            "file",
            f"Colonnes manquantes dans l'en-tête du fichier : {', '.join(missing)} "
            f"(attendues : {', '.join(_COLUMNS)}).",
        )
    return positions


def _header_key(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", plain.lower())


# Checking a row


def read_pupil(
    line: int, values: dict[str, str] | RejectedRow, year: SchoolYear, seen: dict[str, int]
) -> Pupil | RejectedRow:
    if isinstance(values, RejectedRow):
        return values
    values = {
        **values,
        **{column: visible_text(values[column]) for column in ("nom", "prenom", "etablissement")},
    }
    identifier = "".join(values["identifiant"].split()).upper()
    birth_date = _birth_date(values["date_naissance"])
    reasons = [
        *_identifier_problems(identifier, line, seen),
        *_name_problems(values),
        *_birth_date_problems(values["date_naissance"], birth_date, year),
        *_commune_problems(values["commune"]),
    ]
    if reasons or birth_date is None:
        return RejectedRow(line, " ; ".join(reasons))
    return Pupil(
        line=line,
        identifier=identifier,
        last_name=values["nom"],
        first_name=values["prenom"],
        birth_date=birth_date,
        school_name=values["etablissement"] or None,
        commune_code=values["commune"],
    )


def _identifier_problems(identifier: str, line: int, seen: dict[str, int]) -> list[str]:
    if not identifier:
        return ["identifiant manquant"]
    if not _IDENTIFIER.fullmatch(identifier):
        return ["identifiant invalide (5 à 32 lettres ou chiffres)"]
    if identifier in seen:
        return [f"identifiant en double dans le fichier (déjà ligne {seen[identifier]})"]
    seen[identifier] = line
    return []


def _name_problems(values: dict[str, str]) -> list[str]:
    problems = []
    for column, label, limit in (("nom", "nom", 100), ("prenom", "prénom", 100)):
        if not values[column]:
            problems.append(f"{label} manquant")
        elif len(values[column]) > limit:
            problems.append(f"{label} trop long ({limit} caractères au plus)")
    if len(values["etablissement"]) > 200:
        problems.append("nom d'établissement trop long (200 caractères au plus)")
    return problems


def _birth_date_problems(text: str, birth_date: date | None, year: SchoolYear) -> list[str]:
    if birth_date is None:
        return ["date de naissance invalide" if text else "date de naissance manquante"]
    age = clock.age_on(birth_date, year.starts_on)
    if not MIN_AGE <= age <= MAX_AGE:
        return [
            f"âge hors limites : {age} ans à la rentrée {year.label} "
            f"(de {MIN_AGE} à {MAX_AGE} ans pour un collégien)"
        ]
    return []


def _commune_problems(commune: str) -> list[str]:
    if not commune:
        return ["commune manquante"]
    if not _COMMUNE.fullmatch(commune):
        return ["code commune invalide (code INSEE à 5 chiffres)"]
    if not commune.startswith("13"):
        return ["commune hors des Bouches-du-Rhône"]
    return []


def _birth_date(text: str) -> date | None:
    if match := _FRENCH_DATE.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
    elif match := _ISO_DATE.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None
