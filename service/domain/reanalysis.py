"""Running a failed call's analysis again, on the file it already has in the audio store.

The same permission as adding a call (`call.upload`: analysing a stored file is what an upload
asks for), on a call the principal can see. The call goes back to `queued` with a new `Job` row
in one conditional update, so two clicks (or two people) queue it once; the caller hands the job
to the process's dispatcher, and the sweeper sends any queued job a dispatcher missed. A call
whose stored file is gone cannot run again: delete it and upload the recording again.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, col

from models import Call, Job
from models.base import utcnow
from service.core.access import Principal, require
from service.core.errors import Conflict
from service.core.i18n import N_
from service.domain.calls import visible_call
from service.storage import AudioStore

FILE_MISSING = N_("The uploaded file is no longer stored, so the analysis cannot run again: delete this call "
                  "and upload the recording again.")


def stored_file_missing(store: AudioStore, call: Call) -> bool:
    """Whether the call's uploaded file is gone from the audio store (or it never had one)."""
    return not call.storage_key or store.size(call.storage_key) is None


def rerun_analysis(session: Session, principal: Principal, call_id: str, store: AudioStore) -> str:
    """Queue a failed call's analysis again; returns the new job's id (to dispatch). Conflict when
    the call is not failed (already queued again, running or done) or its file is missing."""
    call = visible_call(session, principal, call_id)
    require(principal, "call.upload")
    if call.status != "failed":
        raise Conflict(N_("only a failed analysis can be run again; this call is %(status)s", status=call.status))
    if stored_file_missing(store, call):
        raise Conflict(FILE_MISSING)
    now = utcnow()
    queued = session.exec(
        update(Call).where(col(Call.id) == call.id, col(Call.status) == "failed")
        .values(status="queued", error=None, progress=0.0, progress_step=None, completed_at=None, updated_at=now)
    ).rowcount == 1
    if not queued:  # someone else queued it a moment ago
        session.rollback()
        raise Conflict(N_("this call's analysis was already queued again"))
    job = Job(call_id=call.id)
    session.add(job)
    session.commit()
    return job.id
