"""The storage backend the suite runs on: SQLite (default) or PostgreSQL when STUDYBOT_TEST_POSTGRES
names an admin URL, e.g. postgresql+asyncpg://studybot:studybot@127.0.0.1:5432/postgres.

Either way, migrations run once per session into a template, and every test gets a fresh copy:
a file copy on SQLite, `CREATE DATABASE ... TEMPLATE` on PostgreSQL."""

from __future__ import annotations

import itertools
import os
import shutil
import uuid
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.db.migrate import upgrade_to_head

POSTGRES_ADMIN_URL = os.environ.get("STUDYBOT_TEST_POSTGRES", "")
_counter = itertools.count()


class SqliteBackend:
    name = "sqlite"

    def __init__(self, folder: Path) -> None:
        self.template = folder / "template.db"
        upgrade_to_head(f"sqlite+aiosqlite:///{self.template}")

    async def fresh(self, tmp_path: Path) -> str:
        path = tmp_path / f"studybot-{next(_counter)}.db"
        shutil.copy(self.template, path)
        return f"sqlite+aiosqlite:///{path}"

    async def drop(self, url: str) -> None:
        """Files go with tmp_path."""

    def sync_url(self, url: str) -> str:
        return url.replace("sqlite+aiosqlite", "sqlite")

    async def empty(self, tmp_path: Path) -> str:
        return f"sqlite+aiosqlite:///{tmp_path / f'empty-{next(_counter)}.db'}"


class PostgresBackend:
    name = "postgresql"

    def __init__(self, admin_url: str) -> None:
        self.admin = make_url(admin_url)
        self.prefix = f"studybot_test_{uuid.uuid4().hex[:8]}"
        self.template_name = f"{self.prefix}_template"
        import asyncio

        asyncio.run(self._admin(f'CREATE DATABASE "{self.template_name}"'))
        upgrade_to_head(self._url(self.template_name))

    def _url(self, database: str) -> str:
        return self.admin.set(database=database).render_as_string(hide_password=False)

    async def _admin(self, *statements: str) -> None:
        import asyncpg

        conn = await asyncpg.connect(
            user=self.admin.username,
            password=self.admin.password,
            host=self.admin.host or "127.0.0.1",
            port=self.admin.port or 5432,
            database=self.admin.database or "postgres",
        )
        try:
            for statement in statements:
                await conn.execute(statement)
        finally:
            await conn.close()

    async def fresh(self, tmp_path: Path) -> str:
        name = f"{self.prefix}_{next(_counter)}"
        await self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.template_name}"')
        return self._url(name)

    async def empty(self, tmp_path: Path) -> str:
        name = f"{self.prefix}_{next(_counter)}"
        await self._admin(f'CREATE DATABASE "{name}"')
        return self._url(name)

    async def drop(self, url: str) -> None:
        await self._admin(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')

    def sync_url(self, url: str) -> str:
        raise NotImplementedError("no synchronous PostgreSQL driver in this project")

    def close(self) -> None:
        import asyncio

        asyncio.run(self._admin(f'DROP DATABASE IF EXISTS "{self.template_name}" WITH (FORCE)'))


Backend = SqliteBackend | PostgresBackend
