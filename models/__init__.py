"""SQLModel tables of the Talktrack service. Importing this package registers every table on
`SQLModel.metadata` (Alembic's target)."""

from models.accounts import KEY_ROLES, ApiKey, KeyRole, Organization, Team, User
from models.calls import Call, CallResult, CallStatus, Job, Outcome, OutcomeKind
from models.coaching import CallFeatureRow, InsightSnapshot, RubricDefinition, ScorecardRecord
from models.definitions import Playbook, TrackerDefinition, Vocabulary, VoiceProfile
from models.webhooks import WEBHOOK_EVENTS, Webhook, WebhookAttempt, WebhookDelivery

__all__ = [
    "KEY_ROLES", "WEBHOOK_EVENTS", "ApiKey", "Call", "CallFeatureRow", "CallResult", "CallStatus", "Job", "KeyRole",
    "InsightSnapshot", "Organization", "Outcome", "OutcomeKind", "Playbook", "RubricDefinition",
    "ScorecardRecord", "Team", "TrackerDefinition", "User",
    "Vocabulary", "VoiceProfile", "Webhook", "WebhookAttempt", "WebhookDelivery",
]
