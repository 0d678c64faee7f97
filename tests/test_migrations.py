"""Migrations: upgrade from an empty database gives exactly the models' schema."""

from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from tests import factories
from tracker.extensions import db
from tracker.models import ActionState, PipelineTally
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


def test_the_pipeline_tallies_migration_fills_them_as_the_application_keeps_them(app_context, region, manager):
    """Migration 0014 fills the flags' stored figures with its own SQL: the same rows the flush listener wrote."""
    lively, quiet, _empty = (
        factories.EngagementFactory(company=factories.CompanyFactory(region=region), team=[(manager, True)])
        for _ in range(3)
    )
    factories.DialogueSessionFactory(engagement=lively, held_on=date(2026, 5, 1))
    factories.DialogueSessionFactory(
        engagement=lively, held_on=date(2026, 6, 1), deleted_at=datetime(2026, 6, 2, tzinfo=UTC)
    )
    factories.ActionFactory(engagement=lively, due_on=date(2026, 7, 1), state=ActionState.DONE)
    factories.ActionFactory(engagement=lively, due_on=date(2026, 8, 1), state=ActionState.IN_PROGRESS)
    factories.ActionFactory(engagement=quiet, due_on=date(2026, 9, 1), state=ActionState.PLANNED)
    factories.ActionFactory(engagement=quiet, due_on=None, state=ActionState.PLANNED)
    db.session.commit()
    kept = pipeline_tally_rows()
    assert kept == [(lively.id, date(2026, 5, 1), date(2026, 8, 1)), (quiet.id, None, date(2026, 9, 1))]

    db.session.remove()
    downgrade(revision="0013")
    upgrade()

    assert pipeline_tally_rows() == kept


def pipeline_tally_rows() -> list[tuple]:
    table = PipelineTally.__table__
    return [tuple(row) for row in db.session.execute(sa.select(table).order_by(table.c.engagement_id))]
