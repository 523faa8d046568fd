"""Imports every table so metadata is complete for Alembic and for tests."""

from sqlmodel import SQLModel

from iil_lms.accounts import models as accounts_models
from iil_lms.api import models as api_models
from iil_lms.audit import chain as audit_chain  # seals audit entries at every commit
from iil_lms.certificates import models as certificates_models
from iil_lms.cohorts import models as cohorts_models
from iil_lms.curriculum import models as curriculum_models
from iil_lms.learning import models as learning_models
from iil_lms.learning import survey_replies as survey_reply_models
from iil_lms.mentoring import models as mentoring_models
from iil_lms.notifications import models as notifications_models
from iil_lms.outreach import models as outreach_models
from iil_lms.summit import models as summit_models

metadata = SQLModel.metadata

__all__ = [
    "accounts_models",
    "api_models",
    "audit_chain",
    "certificates_models",
    "cohorts_models",
    "curriculum_models",
    "learning_models",
    "mentoring_models",
    "notifications_models",
    "outreach_models",
    "summit_models",
    "survey_reply_models",
    "metadata",
]
