"""The small French page in the programme's look that a person reaches from a link in an
email: the marketing unsubscribe, the parent's consent, an expired statement link."""

from __future__ import annotations

from markupsafe import Markup
from starlette.responses import HTMLResponse

_PAGE = Markup("""<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{title} — CJeune de Provence</title>
</head>
<body style="margin:0;background:#f4f4f7;font-family:Arial,Helvetica,sans-serif;color:#1d1d1f">
<main style="max-width:560px;margin:24px auto;background:#fff;border-radius:8px">
<div style="background:#e30613;color:#fff;padding:18px 24px;border-radius:8px 8px 0 0">
<div style="font-size:22px;font-weight:bold">CJeune de Provence</div>
<div style="font-size:13px">La carte des 11-25 ans des Bouches-du-Rhône</div>
</div>
<div style="padding:24px;font-size:16px;line-height:1.5">
<h1 style="font-size:20px;margin:0 0 16px">{title}</h1>
{body}
</div>
<div style="padding:16px 24px;font-size:12px;color:#6e6e73;border-top:1px solid #e5e5ea">
Département des Bouches-du-Rhône — Direction de la Jeunesse et des Sports
</div>
</main>
</body>
</html>
""")
_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",  # the token is in the URL
    "X-Robots-Tag": "noindex",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"
    ),
}
_BUTTON = Markup(
    '<form method="post" action="{action}" style="margin:24px 0">'
    '<input type="hidden" name="action" value="{value}">'
    '<button type="submit" style="background:#e30613;color:#fff;border:0;padding:12px 20px;'
    'border-radius:6px;font-size:16px;font-weight:bold;cursor:pointer">{label}</button></form>'
)


def french_page(title: str, body: Markup, status_code: int = 200) -> HTMLResponse:
    """A small page in the programme's look; `body` is already-escaped HTML."""
    page = _PAGE.format(title=title, body=body)
    return HTMLResponse(page, status_code=status_code, headers=_HEADERS)


def post_button(action: str, label: str, value: str = "confirmer") -> Markup:
    return _BUTTON.format(action=action, label=label, value=value)


def paragraphs(*texts: str) -> Markup:
    return Markup("").join(Markup("<p>{}</p>").format(text) for text in texts)
