"""The domain model, one module per group of entities."""

from tracker.models.accounts import Organisation, OrganisationKind, Region, Role, User  # noqa: F401
from tracker.models.auth import SignInFailure, UserSession  # noqa: F401
