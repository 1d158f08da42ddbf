"""Writing an organization's definitions: voice profiles, trackers, talk-track playbooks and the
custom vocabulary, for the JSON API (`/v1/voice-profiles`, `/v1/trackers`, `/v1/playbooks`,
`/v1/vocabulary`) and the admin pages alike. How the product reads them is
`service.domain.org_definitions`.

Every member of the organization reads them; changing them needs `definitions.write`. The active
playbook is the newest active row (what live calls and suggestions use): storing an active one
makes it the only active one. A playbook is checked when stored, so a broken one is refused with
the reason rather than silently ignored later.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, TypeVar

import yaml
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, col, select

from coaching.live import LiveRules, LiveRulesError
from coaching.playbook import DEFAULT_PLAYBOOK, PlaybookError, playbook_from_dict
from models import Playbook, Vocabulary
from models.base import utcnow
from nlp.trackers import DEFAULT_TRACKERS_PATH
from service.core.access import Principal, require
from service.core.errors import Conflict, Invalid, NotFound
from service.core.i18n import N_
from service.core.user_yaml import UserYamlError, load_user_yaml
from transcription.vocabulary import VocabularyError, vocabulary_from_data

Row = TypeVar("Row", bound=SQLModel)
MAX_PLAYBOOK_CHARS = 200_000


def list_definitions(session: Session, principal: Principal, model: type[Row]) -> list[Row]:
    return list(session.exec(select(model).where(col(model.org_id) == principal.org_id)  # type: ignore[attr-defined]
                             .order_by(col(model.name))).all())  # type: ignore[attr-defined]


def create_definition(session: Session, principal: Principal, row: Row) -> Row:
    """Store a new definition row of the principal's organization (Conflict when its name is taken)."""
    require(principal, "definitions.write")
    if row.org_id != principal.org_id:  # type: ignore[attr-defined]
        raise Invalid(N_("a definition belongs to your own organization"))
    if isinstance(row, Playbook):
        check_playbook_content(row.content)
    session.add(row)
    try:
        if isinstance(row, Playbook) and row.active:
            _deactivate_other_playbooks(session, principal.org_id, row.id)
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict(N_("a definition called %(name)r already exists",
                           name=row.name)) from exc  # type: ignore[attr-defined]
    return row


def delete_definition(session: Session, principal: Principal, model: type[SQLModel], item_id: str) -> None:
    row: Any = session.get(model, item_id)
    if row is None or row.org_id != principal.org_id:
        raise NotFound(N_("definition not found"))
    require(principal, "definitions.write")
    session.delete(row)
    session.commit()


def check_playbook_content(content: Any) -> None:
    """Invalid unless the content is a playbook (`situations`, the shape of coaching/playbook.yaml)
    and/or live rules (`live_rules`) that live calls and suggestions can use."""
    if not isinstance(content, dict) or not ({"situations", "live_rules"} & set(content)):
        raise Invalid(N_("a playbook is a mapping with 'situations' (the shape of coaching/playbook.yaml) "
                         "and/or 'live_rules'"))
    try:
        if "situations" in content:
            playbook_from_dict(content, "playbook")
        if "live_rules" in content:
            rules = content["live_rules"]
            if rules is not None and not isinstance(rules, dict):
                raise LiveRulesError("'live_rules' must be a mapping")
            LiveRules.from_dict(rules)
    except (PlaybookError, LiveRulesError) as exc:
        raise Invalid(str(exc)) from exc
    except (TypeError, ValueError, AttributeError) as exc:  # a value of the wrong type deep inside
        raise Invalid(N_("the playbook does not fit the shape of coaching/playbook.yaml: %(error)s",
                         error=str(exc))) from exc


def parse_playbook_yaml(text: str) -> dict[str, Any]:
    """The content of a playbook typed or pasted as YAML (Invalid with the line of a YAML error)."""
    try:
        content = load_user_yaml(text, max_chars=MAX_PLAYBOOK_CHARS, what="the playbook")
    except UserYamlError as exc:  # no aliases, finite numbers, JSON values, a size cap
        raise Invalid(str(exc)) from exc
    check_playbook_content(content)
    assert isinstance(content, dict)
    return content


def bundled_playbook_yaml() -> str:
    return DEFAULT_PLAYBOOK.read_text(encoding="utf-8")


def _deactivate_other_playbooks(session: Session, org_id: str, keep_id: str) -> None:
    for other in session.exec(select(Playbook).where(col(Playbook.org_id) == org_id, col(Playbook.active),
                                                     col(Playbook.id) != keep_id)).all():
        other.active = False
        session.add(other)


def replace_playbook(session: Session, principal: Principal, name: str, content: dict[str, Any]) -> Playbook:
    """Make `content` the organization's active playbook under `name`: the playbook of that name is
    updated (or created), and every other playbook is made inactive."""
    require(principal, "definitions.write")
    name = name.strip()
    if not name or len(name) > 100:
        raise Invalid(N_("the playbook needs a name of 1 to 100 characters"))
    check_playbook_content(content)
    row = session.exec(select(Playbook).where(col(Playbook.org_id) == principal.org_id,
                                              col(Playbook.name) == name)).first()
    if row is None:
        row = Playbook(org_id=principal.org_id, name=name, content=content)
    row.content, row.active, row.created_at = content, True, utcnow()  # the newest active one is used
    session.add(row)
    _deactivate_other_playbooks(session, principal.org_id, row.id)
    session.commit()
    return row


@lru_cache(maxsize=1)
def builtin_tracker_names() -> tuple[str, ...]:
    """The built-in trackers (`nlp/trackers.yaml`): an organization's tracker of the same name
    replaces one, a disabled one turns it off."""
    data = yaml.safe_load(DEFAULT_TRACKERS_PATH.read_text(encoding="utf-8"))
    return tuple(sorted(str(t["name"]) for t in data.get("trackers", []) if isinstance(t, dict) and "name" in t))


def vocabulary_row(session: Session, principal: Principal) -> Vocabulary | None:
    """The organization's custom vocabulary as stored (None: it has none)."""
    return session.get(Vocabulary, principal.org_id)


def replace_vocabulary(session: Session, principal: Principal, content: dict[str, Any]) -> Vocabulary:
    """Make `content` (terms by kind) the organization's custom vocabulary (Invalid when it is not one)."""
    require(principal, "definitions.write")
    try:
        vocabulary_from_data(content)
    except VocabularyError as exc:
        raise Invalid(str(exc)) from exc
    row = session.get(Vocabulary, principal.org_id) or Vocabulary(org_id=principal.org_id)
    row.content, row.updated_at = content, utcnow()
    session.add(row)
    session.commit()
    return row


def set_default_language(session: Session, principal: Principal, language: str | None) -> str | None:
    """Make `language` ("auto", "en", "zh", a language code; None: English) the spoken language of the
    organization's calls uploaded without one (Invalid for an unknown language); returns it as stored."""
    from models import Organization
    from transcription.languages import parse_language

    require(principal, "definitions.write")
    value = None
    if language is not None and language.strip():
        try:
            value = parse_language(language)
        except ValueError as exc:
            raise Invalid(str(exc)) from exc
    org = session.get(Organization, principal.org_id)
    if org is None:
        raise Invalid(N_("the organization no longer exists"))
    org.default_language = value
    session.add(org)
    session.commit()
    return value


def delete_vocabulary(session: Session, principal: Principal) -> None:
    require(principal, "definitions.write")
    row = session.get(Vocabulary, principal.org_id)
    if row is not None:
        session.delete(row)
        session.commit()
