"""`flask demo load`: the demo data set, loaded once and safe to run again."""

import time

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from tracker.auth.passwords import hash_password
from tracker.demo import data
from tracker.demo.cases import load_cases, load_measures
from tracker.demo.generate import DEFAULT_PASSWORD, generate, refusal
from tracker.demo.outcomes import load_outcome_snapshots
from tracker.extensions import db
from tracker.models import Organisation, Region, Role, User
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
                    totp_secret=data.DEMO_TOTP_SECRET if role in (Role.ADMIN, Role.MANAGER) else None,
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
    click.echo(f"Demo accounts: password {data.DEMO_PASSWORD!r}; admins and managers also type the code of "
               f"authenticator key {data.DEMO_TOTP_SECRET} (add it to an authenticator app).")


@demo_cli.command("generate")
@click.option("--companies", default=10_000, show_default=True, type=click.IntRange(1), help="Companies to create.")
@click.option("--sessions", default=1_000_000, show_default=True, type=click.IntRange(0),
              help="Dialogue sessions to create, shared among the engagements.")
@click.option("--regions", type=click.IntRange(1), help="Regions to spread them over [default: companies / 40, 3-300].")
@click.option("--seed", default=1, show_default=True, help="The same seed (and day) gives the same data.")
@click.option("--password", default=DEFAULT_PASSWORD, show_default=True, help="Password of every bench account.")
@click.option("--allow-production", is_flag=True, help="Generate even with the production configuration.")
def generate_command(companies, sessions, regions, seed, password, allow_production):
    """Fill an empty database with synthetic data at scale, for trials and benchmarks.

    Regions across all prefectures; companies with contacts and outcome figures;
    engagements in every phase with their phase histories, teams, sessions,
    statements, insights, actions and referrals. Written in bulk, committed in
    chunks. Refused when the database holds any company (the generated records
    must never mix with real ones) or a bench account.

    \b
    Accounts, all with the --password:
      bench-admin@example.jp           administrator, all regions
      bench-manager-N@example.jp       one manager per group of up to 6 regions of a prefecture
      bench-consultant-N@example.jp    the groups' consultants, each on about 10-40 engagements
      bench-official-N@example.jp      one official per region
    Number 1 of each is typical: bench-official-1's region has the median number
    of companies, bench-manager-1 manages its group, bench-consultant-1 is that
    group's consultant with the median number of engagements.
    """
    if not current_app.config["DEMO_DATA_ALLOWED"] and not allow_production:
        raise click.ClickException("Demo data is never generated in production (unless --allow-production).")
    problem = refusal()
    if problem:
        raise click.ClickException(problem)
    started = time.monotonic()
    with click.progressbar(length=companies + sessions, label="Generating companies and sessions") as bar:
        result = generate(companies, sessions, seed=seed, password=password, regions=regions, progress=bar.update)
    seconds = time.monotonic() - started
    total = sum(result.rows.values())
    click.echo(", ".join(f"{count} {table}" for table, count in result.rows.items()))
    click.echo(f"{total} rows in {seconds:.0f} s ({total / max(seconds, 0.001):.0f} rows/s).")
    shown = [a for a in result.accounts if a.role == "admin" or a.email.split("@")[0].endswith("-1")]
    click.echo(f"Accounts ({len(result.accounts)}, password {password!r}; admins and managers also type the code "
               f"of authenticator key {data.DEMO_TOTP_SECRET}); the first of each role is typical:")
    for account in shown:
        click.echo(f"  {account.email}  {account.note}")
    for role in ("manager", "consultant", "official"):
        count = sum(1 for a in result.accounts if a.role == role)
        click.echo(f"  bench-{role}-1 … bench-{role}-{count}@example.jp")
