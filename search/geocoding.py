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

import unicodedata
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from geopy.adapters import AioHTTPAdapter
from geopy.exc import GeocoderQueryError, GeopyError
from geopy.geocoders import BANFrance

from server.settings import Settings, get_settings

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


# Postal code -> (commune, latitude, longitude) of its centre; several communes may share a code.
COMMUNES: dict[str, list[tuple[str, float, float]]] = {
    "13001": [("Marseille 1er", 43.2999, 5.3841)],
    "13002": [("Marseille 2e", 43.3085, 5.3660)],
    "13003": [("Marseille 3e", 43.3122, 5.3807)],
    "13004": [("Marseille 4e", 43.3065, 5.4010)],
    "13005": [("Marseille 5e", 43.2925, 5.3980)],
    "13006": [("Marseille 6e", 43.2870, 5.3810)],
    "13007": [("Marseille 7e", 43.2825, 5.3620)],
    "13008": [("Marseille 8e", 43.2430, 5.3830)],
    "13009": [("Marseille 9e", 43.2470, 5.4280)],
    "13010": [("Marseille 10e", 43.2760, 5.4260)],
    "13011": [("Marseille 11e", 43.2890, 5.4840)],
    "13012": [("Marseille 12e", 43.3070, 5.4460)],
    "13013": [("Marseille 13e", 43.3490, 5.4330)],
    "13014": [("Marseille 14e", 43.3440, 5.3920)],
    "13015": [("Marseille 15e", 43.3590, 5.3620)],
    "13016": [("Marseille 16e", 43.3620, 5.3130)],
    "13090": [("Aix-en-Provence", 43.5180, 5.4280)],
    "13100": [
        ("Aix-en-Provence", 43.5263, 5.4454),
        ("Le Tholonet", 43.5219, 5.5111),
        ("Saint-Marc-Jaumegarde", 43.5464, 5.5244),
    ],
    "13104": [("Arles", 43.6768, 4.6303)],  # Salin-de-Giraud, Raphèle: the town's centre
    "13109": [("Simiane-Collongue", 43.4306, 5.4347)],
    "13110": [("Port-de-Bouc", 43.4053, 4.9861)],
    "13120": [("Gardanne", 43.4548, 5.4697)],
    "13127": [("Vitrolles", 43.4600, 5.2486)],
    "13130": [("Berre-l'Étang", 43.4764, 5.1681)],
    "13140": [("Miramas", 43.5822, 5.0016)],
    "13150": [("Tarascon", 43.8058, 4.6603), ("Boulbon", 43.8625, 4.6939)],
    "13160": [("Châteaurenard", 43.8828, 4.8545)],
    "13170": [("Les Pennes-Mirabeau", 43.4103, 5.3083)],
    "13180": [("Gignac-la-Nerthe", 43.3933, 5.2350)],
    "13190": [("Allauch", 43.3364, 5.4822)],
    "13200": [("Arles", 43.6768, 4.6303)],
    "13210": [("Saint-Rémy-de-Provence", 43.7894, 4.8317)],
    "13220": [("Châteauneuf-les-Martigues", 43.3836, 5.1636)],
    "13230": [("Port-Saint-Louis-du-Rhône", 43.3870, 4.8030)],
    "13240": [("Septèmes-les-Vallons", 43.3992, 5.3658)],
    "13250": [("Saint-Chamas", 43.5500, 5.0347)],
    "13260": [("Cassis", 43.2147, 5.5386)],
    "13270": [("Fos-sur-Mer", 43.4378, 4.9447)],
    "13300": [("Salon-de-Provence", 43.6403, 5.0970)],
    "13310": [("Saint-Martin-de-Crau", 43.6394, 4.8125)],
    "13320": [("Bouc-Bel-Air", 43.4522, 5.4147)],
    "13330": [("Pélissanne", 43.6319, 5.1506)],
    "13340": [("Rognac", 43.4878, 5.2331)],
    "13360": [("Roquevaire", 43.3506, 5.6042)],
    "13370": [("Mallemort", 43.7317, 5.1797)],
    "13380": [("Plan-de-Cuques", 43.3475, 5.4636)],
    "13390": [("Auriol", 43.3714, 5.6339)],
    "13400": [("Aubagne", 43.2927, 5.5708)],
    "13410": [("Lambesc", 43.6539, 5.2622)],
    "13420": [("Gémenos", 43.2950, 5.6283)],
    "13430": [("Eyguières", 43.6947, 5.0311)],
    "13450": [("Grans", 43.6075, 5.0628)],
    "13460": [("Saintes-Maries-de-la-Mer", 43.4519, 4.4286)],
    "13470": [("Carnoux-en-Provence", 43.2567, 5.5647)],
    "13480": [("Cabriès", 43.4411, 5.3797)],
    "13500": [("Martigues", 43.4053, 5.0476)],
    "13510": [("Éguilles", 43.5686, 5.3561)],
    "13530": [("Trets", 43.4475, 5.6847)],
    "13560": [("Sénas", 43.7447, 5.0775)],
    "13580": [("La Fare-les-Oliviers", 43.5514, 5.1944)],
    "13590": [("Meyreuil", 43.4878, 5.4978)],
    "13600": [("La Ciotat", 43.1748, 5.6045), ("Ceyreste", 43.2128, 5.6297)],
    "13610": [("Le Puy-Sainte-Réparade", 43.6639, 5.4350)],
    "13620": [("Carry-le-Rouet", 43.3317, 5.1531)],
    "13640": [("La Roque-d'Anthéron", 43.7156, 5.3100)],
    "13660": [("Orgon", 43.7908, 5.0397)],
    "13680": [("Lançon-Provence", 43.5919, 5.1281)],
    "13700": [("Marignane", 43.4160, 5.2145)],
    "13710": [("Fuveau", 43.4536, 5.5619)],
    "13730": [("Saint-Victoret", 43.4197, 5.2353)],
    "13760": [("Saint-Cannat", 43.6200, 5.2981)],
    "13770": [("Venelles", 43.5986, 5.4817)],
    "13790": [("Rousset", 43.4828, 5.6197)],
    "13800": [("Istres", 43.5151, 4.9895)],
    "13820": [("Ensuès-la-Redonne", 43.3553, 5.2033)],
    "13821": [("La Penne-sur-Huveaune", 43.2810, 5.5160)],
    "13840": [("Rognes", 43.6619, 5.3467)],
    "13860": [("Peyrolles-en-Provence", 43.6464, 5.5847)],
    "13880": [("Velaux", 43.5228, 5.2536)],
    "13960": [("Sausset-les-Pins", 43.3314, 5.1086)],
    "13990": [("Fontvieille", 43.7267, 4.7100)],
}


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
