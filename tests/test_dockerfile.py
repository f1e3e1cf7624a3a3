"""The Docker image: /app is read-only for the service, so everything it writes goes to the
data directory, a volume of its own that the service's user owns."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from domain.finance.files import finance_storage
from infra.settings import Settings, use_settings
from infra.storage import get_storage

DOCKERFILE = Path(__file__).parents[1] / "Dockerfile"


def runtime_stage() -> list[str]:
    """The runtime stage's instructions, continuation lines joined."""
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    stage = text.split(" AS runtime", 1)[1]
    return [line.strip() for line in stage.splitlines() if line.strip() and line[0] != "#"]


def test_the_image_keeps_its_data_in_a_volume_outside_app():
    lines = runtime_stage()
    [env] = [line for line in lines if "CJEUNE_DATA_DIR=" in line]
    data_dir = PurePosixPath(re.search(r"CJEUNE_DATA_DIR=(\S+)", env).group(1))
    assert not data_dir.is_relative_to("/app")
    volume = next(i for i, line in enumerate(lines) if line.startswith("VOLUME"))
    assert str(data_dir) in lines[volume]
    # Created and owned by the service's user before the volume is declared (a change
    # made after VOLUME would be thrown away).
    created = next(
        i for i, line in enumerate(lines) if "-o cjeune" in line and str(data_dir) in line
    )
    assert created < volume
    assert any(line == "USER cjeune:cjeune" for line in lines[volume:])


def test_every_file_the_service_writes_is_under_the_data_directory(settings, tmp_path):
    data_dir = tmp_path / "donnees"
    use_settings(
        Settings(environment="test", database_url=settings.database_url, data_dir=data_dir)
    )
    try:
        written = [
            get_storage().root,  # uploaded images
            finance_storage().root,  # payment batches' files
            Settings(data_dir=data_dir).outbox_dir,
            Settings(data_dir=data_dir).push_outbox_dir,
        ]
    finally:
        use_settings(settings)
    assert all(path.is_relative_to(data_dir) for path in written), written
