"""A fresh database per test: a SQLite file, or a new schema on ``TEST_DATABASE_URL`` (PostgreSQL)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import create_engine

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
ON_POSTGRES = bool(TEST_DATABASE_URL)


def fresh_database_url(folder: Path) -> str:
    """An empty database of its own: ``folder/test.db``, or a new PostgreSQL schema."""
    if not TEST_DATABASE_URL:
        return f"sqlite:///{folder / 'test.db'}"
    schema = f"test_{uuid.uuid4().hex[:16]}"
    engine = create_engine(TEST_DATABASE_URL)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    engine.dispose()
    separator = "&" if "?" in TEST_DATABASE_URL else "?"
    return f"{TEST_DATABASE_URL}{separator}options={quote(f'-csearch_path={schema}')}"
