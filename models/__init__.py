"""SQLModel tables of the Talktrack service. Importing this package registers every table on
`SQLModel.metadata` (Alembic's target)."""

from models.accounts import (
    KEY_ROLES,
    USER_ROLES,
    ApiKey,
    Invite,
    KeyRole,
    Organization,
    Team,
    User,
    WebSession,
)
from models.calls import Call, CallResult, CallStatus, CallText, Job, Outcome, OutcomeKind
from models.clips import Clip, Playlist, PlaylistClip
from models.coaching import CallFeatureRow, InsightSnapshot, LiveCallRecord, RubricDefinition, ScorecardRecord
from models.comments import CallComment, CallShare, Notification
from models.definitions import Playbook, TrackerDefinition, Vocabulary, VoiceProfile
from models.privacy import AuditEvent, RetentionPolicy, Tombstone
from models.webhooks import WEBHOOK_EVENTS, Webhook, WebhookAttempt, WebhookDelivery

__all__ = [
    "KEY_ROLES", "WEBHOOK_EVENTS", "ApiKey", "CallComment", "CallShare", "Notification", "AuditEvent", "RetentionPolicy", "Tombstone", "Call", "CallText", "CallFeatureRow", "CallResult", "CallStatus", "Clip", "Job", "KeyRole",
    "InsightSnapshot", "LiveCallRecord", "Organization", "Outcome", "OutcomeKind", "Playbook", "Playlist", "PlaylistClip", "RubricDefinition",
    "ScorecardRecord", "Team", "TrackerDefinition", "User",
    "USER_ROLES", "Invite", "Vocabulary", "VoiceProfile", "WebSession", "Webhook", "WebhookAttempt",
    "WebhookDelivery",
]
