"""Running Alembic migrations from code: `studybot migrate`, `studybot run` and the tests."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

import migrations


def alembic_config(database_url: str | None = None) -> Config:
    """An Alembic config pointing at the packaged migrations; no alembic.ini needed."""
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(migrations.__file__).parent))
    if database_url:
        # Alembic's config is ConfigParser-based: escape % in passwords.
        cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def upgrade_to_head(database_url: str) -> None:
    """Bring the database at `database_url` to the newest schema. Call outside an event loop."""
    command.upgrade(alembic_config(database_url), "head")
