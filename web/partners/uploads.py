"""Images a partner's page uploads (visuals, logo, banner, post images) through the API's
`uploadImage`, which checks each one (format, weight, size, ratio) and answers a French
error the page shows next to the file field."""

from __future__ import annotations

from dataclasses import dataclass, field

from web.graphql import user_error
from web.pages import Visit


@dataclass
class Uploaded:
    ids: dict[str, str] = field(default_factory=dict)  # form field -> image id
    urls: dict[str, str] = field(default_factory=dict)  # image id -> small variant
    errors: dict[str, str] = field(default_factory=dict)  # form field -> French message


async def upload_images(visit: Visit, partner_id: str, purpose: str, names: list[str]) -> Uploaded:
    """Upload each file chosen in the fields `names`; a field left empty is skipped."""
    done = Uploaded()
    for name in names:
        file = visit.upload(name)
        if file is None:
            continue
        data = await visit.run("upload_image", partnerId=partner_id, purpose=purpose, file=file)
        answer = data["uploadImage"]
        error = user_error(answer)
        if error is not None:
            done.errors[name] = error.message
            continue
        image = answer["image"]
        done.ids[name] = image["id"]
        done.urls[image["id"]] = image["url"]
    return done


def image_rules(visit: Visit, minimum: str, shape: str) -> str:
    """The API's rules for an image, in the words of a hint under its field."""
    megabytes = visit.settings.max_upload_bytes / (1024 * 1024)
    weight = f"{megabytes:.3g}".replace(".", ",")
    return f"JPEG, PNG ou WebP, {weight} Mo au plus, au moins {minimum} pixels ; {shape}"


def image_hint(visit: Visit, purpose: str) -> str:
    if purpose == "LOGO":
        return image_rules(visit, "200 × 200", "à peu près carré (il est recadré en carré).")
    if purpose == "BANNER":
        return image_rules(visit, "1200 × 400", "bien plus large que haut (recadrée en 3 pour 1).")
    return image_rules(visit, "200 × 200", "pas plus de 4 fois plus large que haut (ou l'inverse).")
