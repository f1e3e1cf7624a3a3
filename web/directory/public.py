"""What every public page shares: it may be indexed (the other spaces' pages say noindex),
and knows whether a young person is signed in (for the header's link to their space)."""

from __future__ import annotations

from starlette.responses import Response

INDEXABLE = "index, follow"


def indexable(response: Response) -> Response:
    """Web.page's security headers say noindex unless the page already said otherwise."""
    if response.status_code == 200:
        response.headers["X-Robots-Tag"] = INDEXABLE
    return response
