"""`flask demo load`: the demo data set, loaded once and safe to run again."""

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from tracker.auth.passwords import hash_password
from tracker.demo import data
from tracker.demo.cases import load_cases, load_measures
from tracker.demo.outcomes import load_outcome_snapshots
from tracker.extensions import db
from tracker.models import Organisation, Region, User
from tracker.models.accounts import jis_check_digit

demo_cli = AppGroup("demo", help="Demo data.")


def load_demo_data() -> dict[str, int]:
    """Add whatever of the demo data set is missing; return how many rows were added.

    The case records (companies and their engagements) are added only into a
    database without companies, so that nobody's own records get mixed with them.
    """
    added = {"regions": 0, "organisations": 0, "accounts": 0}
    regions = {region.code[:5]: region for region in db.session.scalars(sa.select(Region))}
    for code, pref, muni, pref_en, muni_en, year in data.REGIONS:
        if code not in regions:
            regions[code] = Region(
                code=code + jis_check_digit(code), prefecture=pref, municipality=muni,
                prefecture_en=pref_en, municipality_en=muni_en, pilot_year=year,
            )
            db.session.add(regions[code])
            added["regions"] += 1
    organisations = {org.name: org for org in db.session.scalars(sa.select(Organisation))}
    for name, name_en, kind, region_code in data.ORGANISATIONS:
        if name not in organisations:
            organisations[name] = Organisation(
                name=name, name_en=name_en, kind=kind,
                region=regions[region_code] if region_code else None,
            )
            db.session.add(organisations[name])
            added["organisations"] += 1
    existing = set(db.session.scalars(sa.select(User.email)))
    password_hash = hash_password(data.DEMO_PASSWORD)
    for email, name, role, organisation, scope, language in data.ACCOUNTS:
        if email not in existing:
            db.session.add(
                User(
                    email=email, name=name, role=role, organisation=organisations[organisation],
                    all_regions=scope == "all",
                    regions=[] if scope == "all" else [regions[code] for code in scope],
                    language=language, password_hash=password_hash,
                )
            )
            added["accounts"] += 1
    added["measures"] = load_measures()
    added.update(load_cases())
    added["outcome snapshots"] = load_outcome_snapshots()
    db.session.commit()
    return added


@demo_cli.command("load")
def load():
    """Load the demo regions, organisations, accounts, catalogue and case records (idempotent)."""
    if not current_app.config["DEMO_DATA_ALLOWED"]:
        raise click.ClickException("Demo data is never loaded in production.")
    added = load_demo_data()
    click.echo(", ".join(f"{count} {what}" for what, count in added.items()) + " added.")
