"""Migrations own the schema: they build it from empty and match the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from portfolio_service.extensions import db

from .conftest import make_app


def test_upgrade_from_empty_builds_the_models_schema(tmp_path):
    app = make_app(tmp_path, create_tables=False)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables

    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []
    assert runner.invoke(args=["db", "check"]).exit_code == 0
