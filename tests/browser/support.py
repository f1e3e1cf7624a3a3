"""What the browser tests need besides the browser: where Chromium is, where screenshots go,
axe-core's report, a fake camera's video of a QR code, and the text a QR reader types.

Nothing here starts a browser: tests/browser/conftest.py does, once per session.
"""

from __future__ import annotations

import io
import os
import re
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import segno
from PIL import Image

REPOSITORY = Path(__file__).resolve().parents[2]

CHROMIUM_ENV = "CJEUNE_CHROMIUM"  # a Chromium other than Debian's /usr/bin/chromium
REQUIRED_ENV = "CJEUNE_BROWSER_TESTS"  # "required": a missing Chromium fails instead of skipping
SCREENSHOTS_ENV = "CJEUNE_SCREENSHOTS"  # the folder screenshots are written to
DEBIAN_CHROMIUM = "/usr/bin/chromium"
INSTALL_HINT = (
    f"Chromium not found: install it (`apt-get install chromium`) or set {CHROMIUM_ENV} to its path"
)


# --- Chromium --------------------------------------------------------------------------------


def chromium_path() -> str | None:
    """Debian's Chromium, or the one CJEUNE_CHROMIUM names (then only that one); None if absent.

    Playwright drives it through `executable_path`: its own browser download is not used."""
    wanted = os.environ.get(CHROMIUM_ENV)
    if wanted:
        return wanted if os.access(wanted, os.X_OK) else None
    if os.access(DEBIAN_CHROMIUM, os.X_OK):
        return DEBIAN_CHROMIUM
    return shutil.which("chromium") or shutil.which("chromium-browser")


def browser_tests_required() -> bool:
    return os.environ.get(REQUIRED_ENV, "").strip().lower() == "required"


# Root in CI and in the Docker-less sandboxes: Chromium's sandbox needs user namespaces it may
# not have there. The pages are our own, served from 127.0.0.1.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-dev-shm-usage"]


def fake_camera_args(video: Path) -> list[str]:
    """Chromium flags that answer `getUserMedia({video: true})` with `video`, looped, without
    asking (the context must also grant the "camera" permission)."""
    return [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]


# --- security headers ------------------------------------------------------------------------


def csp_of(response: Any) -> str:
    assert response is not None
    policy = response.headers.get("content-security-policy", "")
    assert policy, f"no Content-Security-Policy on {response.url}"
    return policy


# What runs or is sent from a page comes from the app alone (images may also come from the
# service's public address, where its media are).
_OWN_ORIGIN_ONLY = ("default-src", "script-src", "style-src", "connect-src", "form-action")


def assert_strict_policy(policy: str) -> None:
    """No inline or evaluated script, no framing by another site, no other origin for what
    runs or is sent."""
    directives = {}
    for directive in policy.split(";"):
        name, _, value = directive.strip().partition(" ")
        directives[name] = value
    scripts = directives.get("script-src", directives.get("default-src", ""))
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, policy
    assert directives.get("frame-ancestors") == "'none'", policy
    for name in _OWN_ORIGIN_ONLY:
        assert "http" not in directives.get(name, ""), policy


# --- screenshots -----------------------------------------------------------------------------

SCREENSHOT_WIDTHS = (360, 1280)  # a small phone, a desktop


def screenshots_folder() -> Path:
    """`var/screenshots/` of the repository (ignored by git), or CJEUNE_SCREENSHOTS."""
    folder = os.environ.get(SCREENSHOTS_ENV)
    return Path(folder) if folder else REPOSITORY / "var" / "screenshots"


def screenshot_name(test_name: str, label: str, width: int) -> str:
    """`test_sign_in-error-360.png` from the test's name, an optional label and the width."""
    stem = "-".join(part for part in (test_name, label) if part)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", stem).strip("_")
    return f"{stem}-{width}.png"


# --- axe-core --------------------------------------------------------------------------------

FAILING_IMPACTS = ("serious", "critical")


def blocking_violations(violations: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [v for v in violations if v.get("impact") in FAILING_IMPACTS]


def accessibility_report(url: str, violations: Iterable[Mapping[str, Any]]) -> str:
    """One block per violated rule: its id, impact, what it asks, its help page, and the
    elements at fault (their CSS selector and axe's summary of what to fix)."""
    shown = url if len(url) <= 120 else url[:117] + "…"
    lines = [f"axe-core: serious or critical accessibility violations on {shown}"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}"
            f" — {violation['helpUrl']}"
        )
        for node in violation.get("nodes", [])[:5]:
            target = " ".join(str(part) for part in node.get("target", []))
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    at {target}: {summary}")
        more = len(violation.get("nodes", [])) - 5
        if more > 0:
            lines.append(f"    … and {more} more")
    return "\n".join(lines)


# --- the fake camera's video -------------------------------------------------------------------

FRAME_SIZE = (640, 480)
QR_SIZE = 300  # pixels: what a phone held 15 cm from a card sees, roughly
Y4M_HEADER = b"YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\n"


def qr_frame(text: str) -> Image.Image:
    """A white 640×480 frame with the QR code of `text`, 300 px wide, in its middle."""
    qr = segno.make(text, error="m")
    modules = qr.symbol_size(scale=1, border=4)[0]
    scale = max(1, QR_SIZE // modules)
    code = Image.open(_png(qr, scale)).convert("RGB").resize((QR_SIZE, QR_SIZE), Image.NEAREST)
    frame = Image.new("RGB", FRAME_SIZE, "white")
    frame.paste(code, ((FRAME_SIZE[0] - QR_SIZE) // 2, (FRAME_SIZE[1] - QR_SIZE) // 2))
    return frame


def _png(qr: segno.QRCode, scale: int) -> io.BytesIO:
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=scale, border=4)
    buffer.seek(0)
    return buffer


def y4m_frame(image: Image.Image) -> bytes:
    """One Y4M frame of `image` in 4:2:0: the Y plane at full size, U and V at half size."""
    if image.size != FRAME_SIZE:
        raise ValueError(f"a frame is {FRAME_SIZE[0]}×{FRAME_SIZE[1]}, not {image.size}")
    y, u, v = image.convert("YCbCr").split()
    half = (FRAME_SIZE[0] // 2, FRAME_SIZE[1] // 2)
    return (
        b"FRAME\n"
        + y.tobytes()
        + u.resize(half, Image.BILINEAR).tobytes()
        + v.resize(half, Image.BILINEAR).tobytes()
    )


def write_y4m(image: Image.Image, path: Path, frames: int = 10) -> Path:
    """A Y4M video (1 s at 10 frames/s) showing `image`; Chromium's fake camera loops it."""
    frame = y4m_frame(image)
    path.write_bytes(Y4M_HEADER + frame * frames)
    return path


def write_qr_video(text: str, path: Path) -> Path:
    """The fake camera's video of a card's QR code (`text` is what the QR encodes)."""
    return write_y4m(qr_frame(text), path)


# --- a USB QR reader ---------------------------------------------------------------------------

# A QR reader is a keyboard: it sends the key presses of a QWERTY keyboard for each
# character. On a French AZERTY layout the same keys give other characters (field notes):
# `https://` arrives as `httpsM!!`.
_QWERTY_KEYS_ON_AZERTY = {
    **{q: a for q, a in zip("1234567890", "&é\"'(-è_çà", strict=True)},
    **{q: a for q, a in zip("!@#$%^&*()", "1234567890", strict=True)},
    "a": "q", "q": "a", "z": "w", "w": "z", "A": "Q", "Q": "A", "Z": "W", "W": "Z",
    "m": ",", "M": "?", ";": "m", ":": "M", ",": ";", "<": ".", ".": ":", ">": "/",
    "/": "!", "?": "§", "-": ")", "_": "°", "=": "=", "+": "+",
}  # fmt: skip


def azerty_garbled(text: str) -> str:
    """What a QR reader set up for QWERTY types into an AZERTY computer for `text`."""
    return "".join(_QWERTY_KEYS_ON_AZERTY.get(character, character) for character in text)
