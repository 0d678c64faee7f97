"""`flask users ...`: account administration from the command line."""

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from tracker.admin.services import AccountRuleBroken, create_user
from tracker.auth.passwords import password_problem
from tracker.extensions import db
from tracker.models import Organisation, Region, Role

users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--organisation", help="Organisation name (as stored, Japanese).")
@click.option("--region", "region_codes", multiple=True, help="JIS code of a region in scope; repeatable.")
@click.option("--all-regions", is_flag=True, help="Give the account every region.")
@click.option("--language", type=click.Choice(["ja", "en"]), default="ja", show_default=True)
@click.password_option(help="Prompted for, hidden, if not given.")
def create(email, name, role, organisation, region_codes, all_regions, language, password):
    """Create an account."""
    problem = password_problem(password, (email, name))
    if problem:
        raise click.BadParameter(str(problem), param_hint="password")
    organisation_id = None
    if organisation:
        organisation_id = db.session.scalar(sa.select(Organisation.id).where(Organisation.name == organisation))
        if organisation_id is None:
            raise click.BadParameter(f"no organisation named {organisation!r}", param_hint="--organisation")
    regions = db.session.scalars(sa.select(Region).where(Region.code.in_(region_codes))).all()
    unknown = set(region_codes) - {region.code for region in regions}
    if unknown:
        raise click.BadParameter(f"unknown region code(s): {', '.join(sorted(unknown))}", param_hint="--region")
    if Role(role).works_in_regions and not (all_regions or regions):
        raise click.UsageError("give --region at least once, or --all-regions")
    details = {
        "name": name,
        "email": email,
        "organisation_id": organisation_id,
        "role": role,
        "all_regions": all_regions,
        "region_ids": [region.id for region in regions],
        "language": language,
    }
    try:
        user = create_user(details, password)
    except AccountRuleBroken as broken:
        raise click.ClickException(str(broken.message)) from None
    db.session.commit()
    click.echo(f"Created {user.role} account {user.email}.")
