"""Migrations: upgrade from an empty database gives exactly the models' schema."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from tracker.extensions import db
from tracker.search.schema import include_object


def schema_differences():
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_object": include_object})
        return compare_metadata(context, db.metadata)


def test_upgrade_from_empty_matches_the_models(app_context):
    # The `app` fixture built this database by running every migration from empty.
    assert schema_differences() == []


def test_downgrade_and_upgrade_again(app_context):
    downgrade(revision="base")
    with db.engine.connect() as connection:
        tables = db.inspect(connection).get_table_names()
    assert set(tables) <= {"alembic_version"}
    upgrade()
    assert schema_differences() == []
