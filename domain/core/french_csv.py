"""CSV for French spreadsheets: `;` separator, UTF-8 with a BOM, decimal comma."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence


def amount(cents: int) -> str:
    """1234567 -> « 12345,67 » (no thousands separator: spreadsheets read it as a number)."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100},{abs(cents) % 100:02d}"


def to_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
