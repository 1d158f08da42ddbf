"""SQLModel tables of the Talktrack service. Importing this package registers every table on
`SQLModel.metadata` (Alembic's target)."""

from models.accounts import KEY_ROLES, ApiKey, KeyRole, Organization, Team, User
from models.calls import Call, CallResult, CallStatus, Job, Outcome, OutcomeKind
from models.definitions import Playbook, TrackerDefinition, VoiceProfile
from models.webhooks import WEBHOOK_EVENTS, Webhook, WebhookAttempt, WebhookDelivery

__all__ = [
    "KEY_ROLES", "WEBHOOK_EVENTS", "ApiKey", "Call", "CallResult", "CallStatus", "Job", "KeyRole",
    "Organization", "Outcome", "OutcomeKind", "Playbook", "Team", "TrackerDefinition", "User",
    "VoiceProfile", "Webhook", "WebhookAttempt", "WebhookDelivery",
]
