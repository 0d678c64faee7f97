"""Test data factories (factory_boy), writing through the app's db.session."""

from datetime import date, timedelta

import factory
from factory.alchemy import SQLAlchemyModelFactory

from tracker.auth.passwords import hash_password
from tracker.extensions import db
from tracker.models import (
    Action,
    ActionState,
    Barrier,
    Company,
    Contact,
    ContactSide,
    DialogueSession,
    Engagement,
    EngagementMember,
    Insight,
    InsightCategory,
    InsightHolder,
    InsightState,
    MeasureKind,
    Organisation,
    OrganisationKind,
    Phase,
    Referral,
    ReferralSource,
    Region,
    Role,
    SessionFormat,
    SessionKind,
    SessionState,
    SupportMeasure,
    User,
)
from tracker.models.accounts import jis_check_digit

PASSWORD = "Tsubame-Kiryu-Orchard-42"
# The authenticator secret of every admin and manager made here (their roles require a
# second factor); tests/conftest.py's login() types its current code.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105  # nosec B105
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
    totp_secret = factory.LazyAttribute(lambda user: TOTP_SECRET if user.role in (Role.ADMIN, Role.MANAGER) else None)

    @factory.post_generation
    def regions(self, create, extracted, **kwargs):
        if extracted:
            self.regions = list(extracted)
            if create:
                db.session.commit()


class CompanyFactory(BaseFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"株式会社テスト製作所{n}")
    kana = factory.Sequence(lambda n: f"テストセイサクショ{n}")
    region = factory.SubFactory(RegionFactory)
    address = "新潟県燕市大通1-1"
    employees = 120
    capital = 50_000_000
    representative = "代表 太郎"


class ContactFactory(BaseFactory):
    class Meta:
        model = Contact

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"社員 {n}")
    title = "代表取締役社長"
    side = ContactSide.PRESIDENT


class EngagementFactory(BaseFactory):
    class Meta:
        model = Engagement

    company = factory.SubFactory(CompanyFactory)
    theme = "次世代の柱となる事業の検討"
    referral_source = ReferralSource.MUNICIPALITY
    started_on = factory.LazyFunction(lambda: date.today() - timedelta(days=120))
    phase = Phase.REVIEW
    phase_since = factory.LazyFunction(lambda: date.today() - timedelta(days=30))

    @factory.post_generation
    def team(self, create, extracted, **kwargs):
        """team=[(user, is_lead), ...]"""
        for user, is_lead in extracted or []:
            self.members.append(EngagementMember(user=user, is_lead=is_lead))
        if create and extracted:
            db.session.commit()


class DialogueSessionFactory(BaseFactory):
    class Meta:
        model = DialogueSession

    engagement = factory.SubFactory(EngagementFactory)
    held_on = factory.LazyFunction(lambda: date.today() - timedelta(days=7))
    duration_minutes = 90
    format = SessionFormat.VISIT
    kind = SessionKind.PRESIDENT_DIALOGUE
    notes = "社長から事業承継と新事業についての考えを伺った。"
    reflection = "こちらから提案しすぎた場面があった。"
    next_steps = "幹部層へのインタビューを設定する。"
    state = SessionState.DRAFT


class InsightFactory(BaseFactory):
    class Meta:
        model = Insight

    engagement = factory.SubFactory(EngagementFactory)
    text = "技術はあるが、顧客の課題から考える習慣がない。"
    holder = InsightHolder.PRESIDENT
    category = InsightCategory.BUSINESS
    barrier = Barrier.UNSEEN
    state = InsightState.VOICED


class ActionFactory(BaseFactory):
    class Meta:
        model = Action

    engagement = factory.SubFactory(EngagementFactory)
    title = "若手社員による新事業検討チームを立ち上げる"
    due_on = factory.LazyFunction(lambda: date.today() + timedelta(days=14))
    state = ActionState.PLANNED


class SupportMeasureFactory(BaseFactory):
    class Meta:
        model = SupportMeasure

    name = factory.Sequence(lambda n: f"専門家派遣事業{n}")
    name_en = factory.Sequence(lambda n: f"Expert dispatch {n}")
    kind = MeasureKind.EXPERT_DISPATCH


class ReferralFactory(BaseFactory):
    class Meta:
        model = Referral

    engagement = factory.SubFactory(EngagementFactory)
    measure = factory.SubFactory(SupportMeasureFactory)
    referred_on = factory.LazyFunction(lambda: date.today() - timedelta(days=10))
