"""Geocoding a partner's address into a map position, in the Bouches-du-Rhône only.

Two geocoders, chosen by the `GEOCODER` setting:

- `BanGeocoder` asks the Base Adresse Nationale (api-adresse.data.gouv.fr) through geopy's
  `BANFrance` client with its aiohttp adapter; `GEOCODER_URL` points it elsewhere (the tests
  use a local stand-in). An answer outside the département, or too uncertain, is refused
  with `AddressNotFound`; a service that does not answer raises `GeocoderUnavailable`.
- `OfflineGeocoder`, the embedded default, needs no network: it places the address at the
  centre of its commune from a built-in table of the département's main communes (and
  Marseille's sixteen arrondissements), and returns None for a postal code it does not know.
"""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from geopy.adapters import AioHTTPAdapter
from geopy.exc import GeocoderQueryError, GeopyError
from geopy.geocoders import BANFrance

from infra.settings import Settings, get_settings

# The département's bounding box: a pin outside it is refused.
LATITUDES = (43.15, 43.95)
LONGITUDES = (4.23, 5.82)
# BAN scores from 0 to 1; below this the match is a guess (often only the commune).
MIN_SCORE = 0.5
TIMEOUT_SECONDS = 5
USER_AGENT = "cjeune-de-provence-api"

CHECK_ADDRESS = (
    "Adresse introuvable dans les Bouches-du-Rhône : vérifiez le numéro, la rue, "
    "le code postal et la commune."
)


@dataclass(frozen=True)
class GeoPoint:
    latitude: float
    longitude: float
    label: str
    score: float


class GeocodingError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AddressNotFound(GeocodingError):
    """The address was not found in the département (or too uncertainly)."""


class GeocoderUnavailable(GeocodingError):
    """The geocoding service did not answer, or answered with an error."""


class Geocoder(Protocol):
    async def geocode(self, street: str, postal_code: str, city: str) -> GeoPoint | None:
        """The address's position; None when this geocoder cannot place it."""


def in_departement(latitude: float, longitude: float) -> bool:
    return LATITUDES[0] <= latitude <= LATITUDES[1] and LONGITUDES[0] <= longitude <= LONGITUDES[1]


class BanGeocoder:
    def __init__(self, url: str = "https://api-adresse.data.gouv.fr") -> None:
        parts = urlsplit(url)
        self.scheme = parts.scheme or "https"
        self.domain = (parts.netloc + parts.path).rstrip("/")

    async def geocode(self, street: str, postal_code: str, city: str) -> GeoPoint | None:
        query = " ".join(part for part in (street, postal_code, city) if part)
        try:
            async with BANFrance(
                domain=self.domain,
                scheme=self.scheme,
                timeout=TIMEOUT_SECONDS,
                user_agent=USER_AGENT,
                adapter_factory=AioHTTPAdapter,
            ) as ban:
                found = await ban.geocode(query, exactly_one=False, limit=5)
        except GeocoderQueryError:
            raise AddressNotFound(CHECK_ADDRESS) from None
        except GeopyError as error:
            raise GeocoderUnavailable(
                "Le service de localisation des adresses ne répond pas : l'adresse n'a pas été "
                "enregistrée. Réessayez dans quelques minutes."
            ) from error
        for location in found or []:
            properties = location.raw.get("properties", {})
            if (
                str(properties.get("postcode", "")).startswith("13")
                and float(properties.get("score", 0)) >= MIN_SCORE
                and in_departement(location.latitude, location.longitude)
            ):
                return GeoPoint(
                    location.latitude,
                    location.longitude,
                    properties.get("label", location.address),
                    float(properties["score"]),
                )
        raise AddressNotFound(CHECK_ADDRESS)


def _simplified(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    letters = "".join(c for c in decomposed if c.isalnum())
    return letters.removeprefix("saint").removeprefix("st")


COMMUNES_FILE = Path(__file__).parent / "data" / "communes_13.csv"


def _load_communes() -> dict[str, list[tuple[str, float, float]]]:
    """Postal code -> (commune, latitude, longitude) of its centre, the most populous first:
    several communes may share a code. Every commune of the département and each of
    Marseille's arrondissements is there (infra/data/communes_13.csv says where from)."""
    lines = [line for line in COMMUNES_FILE.read_text(encoding="utf-8").splitlines()]
    rows = csv.DictReader(line for line in lines if not line.startswith("#"))
    by_code: dict[str, list[tuple[int, str, float, float]]] = {}
    for row in rows:
        for postal_code in row["postal_codes"].split():
            by_code.setdefault(postal_code, []).append(
                (
                    -int(row["population"]),
                    row["name"],
                    float(row["latitude"]),
                    float(row["longitude"]),
                )
            )
    return {
        code: [(name, lat, lon) for _, name, lat, lon in sorted(entries)]
        for code, entries in by_code.items()
    }


COMMUNES: dict[str, list[tuple[str, float, float]]] = _load_communes()


class OfflineGeocoder:
    """The centre of the address's commune, without any network."""

    SCORE = 0.3  # a commune, not the address

    async def geocode(self, street: str, postal_code: str, city: str) -> GeoPoint | None:
        communes = COMMUNES.get(postal_code.strip())
        if not communes:
            return None
        wanted = _simplified(city)
        name, latitude, longitude = next(
            (c for c in communes if _simplified(c[0]).startswith(wanted[:6])), communes[0]
        )
        return GeoPoint(latitude, longitude, f"{postal_code} {name}", self.SCORE)


def geocoder_for(settings: Settings) -> Geocoder:
    if settings.geocoder == "ban":
        return BanGeocoder(settings.geocoder_url)
    return OfflineGeocoder()


_current: Geocoder | None = None


def current_geocoder() -> Geocoder:
    """The process's geocoder, from the settings unless one was installed."""
    global _current
    if _current is None:
        _current = geocoder_for(get_settings())
    return _current


def use_geocoder(geocoder: Geocoder | None) -> Geocoder | None:
    """Install a geocoder for the process (None: back to the settings'); returns the previous."""
    global _current
    previous, _current = _current, geocoder
    return previous
