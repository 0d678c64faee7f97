"""The domain model, one module per group of entities."""

from tracker.models.accounts import Organisation, OrganisationKind, Region, Role, User  # noqa: F401
from tracker.models.actions import Action, ActionState, ActionUpdate  # noqa: F401
from tracker.models.audit import AuditEvent  # noqa: F401
from tracker.models.auth import PendingForm, RecoveryCode, SignInAttempt, UserSession  # noqa: F401
from tracker.models.common import index_deleted_rows
from tracker.models.companies import Company, Contact, ContactSide, Industry  # noqa: F401
from tracker.models.dialogue import (  # noqa: F401
    DialogueSession,
    SessionFormat,
    SessionKind,
    SessionRevision,
    SessionState,
    Statement,
)
from tracker.models.engagements import (  # noqa: F401
    ClosingReason,
    Engagement,
    EngagementMember,
    Phase,
    PhaseChange,
    ReferralSource,
)
from tracker.models.imports import CompanyImport, ImportSlot, ImportState  # noqa: F401
from tracker.models.insights import (  # noqa: F401
    Barrier,
    Insight,
    InsightCategory,
    InsightHolder,
    InsightState,
    InsightStateChange,
)
from tracker.models.outcomes import OutcomeSnapshot  # noqa: F401
from tracker.models.submissions import FormSubmission  # noqa: F401
from tracker.models.support import MeasureKind, Referral, ReferralOutcome, SupportMeasure  # noqa: F401
from tracker.models.tallies import (  # noqa: F401
    ActionTally,
    IndicatorChange,
    InsightTally,
    PipelineTally,
    RegionTally,
    SessionTally,
    WorkloadTally,
)

index_deleted_rows((Company, Engagement, DialogueSession, Insight, Action))
