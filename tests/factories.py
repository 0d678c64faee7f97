"""Test data factories (factory_boy), writing through the app's db.session."""

import factory
from factory.alchemy import SQLAlchemyModelFactory

from tracker.auth.passwords import hash_password
from tracker.extensions import db
from tracker.models import Organisation, OrganisationKind, Region, Role, User
from tracker.models.accounts import jis_check_digit

PASSWORD = "Tsubame-Kiryu-Orchard-42"
_password_hash = None


def password_hash() -> str:
    """Hash the shared test password once: argon2 is slow on purpose."""
    global _password_hash
    if _password_hash is None:
        _password_hash = hash_password(PASSWORD)
    return _password_hash


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class RegionFactory(BaseFactory):
    class Meta:
        model = Region

    code = factory.Sequence(lambda n: f"{30000 + n:05d}" + jis_check_digit(f"{30000 + n:05d}"))
    prefecture = "テスト県"
    municipality = factory.Sequence(lambda n: f"試験市{n}")
    prefecture_en = "Test"
    municipality_en = factory.Sequence(lambda n: f"Testcity {n}")


class OrganisationFactory(BaseFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"支援機関{n}")
    name_en = factory.Sequence(lambda n: f"Support organisation {n}")
    kind = OrganisationKind.SUPPORT_ORGANISATION


class UserFactory(BaseFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    name = factory.Sequence(lambda n: f"利用者 {n}")
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.CONSULTANT
    language = "ja"
    active = True
    all_regions = False
    password_hash = factory.LazyFunction(password_hash)

    @factory.post_generation
    def regions(self, create, extracted, **kwargs):
        if extracted:
            self.regions = list(extracted)
            if create:
                db.session.commit()
