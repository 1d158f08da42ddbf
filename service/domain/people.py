"""Names of the people (and API keys) that wrote something, for pages that show who did what."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, col, select

from models import ApiKey, User


def author_names(session: Session, org_id: str, ids: Iterable[str | None]) -> dict[str, str]:
    """id -> name for the users and API keys of one organization among `ids` (a scorecard's `by`
    is the coach's user id, or the key id of an unbound API key). Unknown ids are left out."""
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    names: dict[str, str] = {}
    for uid, name in session.exec(select(User.id, User.name)
                                  .where(col(User.org_id) == org_id, col(User.id).in_(wanted))).all():
        names[uid] = name
    rest = wanted - names.keys()
    if rest:
        for kid, key_name, prefix in session.exec(select(ApiKey.id, ApiKey.name, ApiKey.prefix)
                                                  .where(col(ApiKey.org_id) == org_id, col(ApiKey.id).in_(rest))).all():
            names[kid] = f"API key {key_name or prefix}"
    return names
