"""Comments on a moment of a call, threads, @mentions, notifications, shares and mention e-mail
(docs/collaboration.md), against a real server on both backends and a real SMTP server (aiosmtpd)
the test starts on loopback.

People (devstack): Cora, coach of East (cora@example.test); Dana, rep of East, owner of the call
(dana.smith@example.test); Eli, rep of West, who does not see the call (eli@example.test).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest

PUBLIC = "https://talktrack.example.test"


@dataclass
class Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    messages: list[tuple[list[str], Message]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 OK"

    def wait_for(self, address: str, timeout: float = 15.0) -> Message:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for rcpt, msg in self.messages:
                if address in rcpt:
                    return msg
            time.sleep(0.1)
        raise AssertionError(f"no mail to {address}: {[r for r, _ in self.messages]}")


@dataclass
class Rig:
    stack: Any
    inbox: Inbox
    smtp: Any
    port: int
    call_id: str


def _smtp(inbox: Inbox, port: int) -> Any:
    from aiosmtpd.controller import Controller

    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def rig(request: pytest.FixtureRequest, h: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    from models import User
    from service.core.db import session_scope

    inbox, port = Inbox(), h.free_port()
    rig = Rig(None, inbox, _smtp(inbox, port), port, "")
    env = {"TALKTRACK_SMTP_URL": f"smtp://127.0.0.1:{port}", "TALKTRACK_SMTP_FROM": "talktrack@example.test",
           "TALKTRACK_PUBLIC_URL": PUBLIC}
    try:
        with h.running_stack(request.param, tmp_path_factory.mktemp(f"comments-{request.param}"), env) as stack:
            with session_scope(stack.settings()) as s:
                for key, email in (("coach", "cora@example.test"), ("rep1", "dana.smith@example.test"),
                                   ("rep2", "eli@example.test")):
                    user = s.get(User, stack.ids[key])
                    assert user is not None
                    user.email = email
                    s.add(user)
                s.commit()
            with stack.client("rep1") as c:
                rig.call_id = h.upload(c, h.vtt, title="Acme discovery").json()["id"]
                h.wait_status(c, rig.call_id)  # comments need no analysis: done or failed alike
            rig.stack = stack
            yield rig
    finally:
        rig.smtp.stop()


def test_a_thread_edits_and_deletion(rig: Rig) -> None:
    call, c = rig.call_id, rig.stack.client
    with c("rep1") as dana:
        r = dana.post(f"/v1/calls/{call}/comments", json={"text": "Price comes up here.\nListen.", "start": 12.5,
                                                          "end": 20})
        assert r.status_code == 201, r.text
        first = r.json()
        assert (first["start"], first["end"], first["author"]["name"]) == (12.5, 20.0, "Dana")
        assert first["link"] == f"/calls/{call}?t=12" and first["can_edit"] and first["not_visible_to"] == []
    with c("coach") as cora:
        reply = cora.post(f"/v1/calls/{call}/comments", json={"text": "Agreed", "parent_id": first["id"]}).json()
        assert (reply["parent_id"], reply["start"]) == (first["id"], 12.5)  # a reply takes its thread's moment
        deeper = cora.post(f"/v1/calls/{call}/comments", json={"text": "and more", "parent_id": reply["id"]}).json()
        assert deeper["parent_id"] == first["id"]  # one level deep: joins the thread
        early = cora.post(f"/v1/calls/{call}/comments", json={"text": "Opening", "start": 1}).json()
        r = cora.patch(f"/v1/calls/{call}/comments/{first['id']}", json={"text": "mine now"})
        assert r.status_code == 403 and "author" in r.json()["detail"]
        for bad in ({"text": "bell \x07"}, {"text": "x" * 5001}, {"text": "backwards", "start": 5, "end": 4},
                    {"text": "  "}, {"text": "no thread", "parent_id": "0" * 32}, {"text": "x", "start": -1}):
            assert cora.post(f"/v1/calls/{call}/comments", json=bad).status_code == 422, bad
    with c("rep2") as eli:
        assert eli.get(f"/v1/calls/{call}/comments").status_code == 404
        assert eli.post(f"/v1/calls/{call}/comments", json={"text": "hi"}).status_code == 404
    with c("integration") as crm:
        assert crm.post(f"/v1/calls/{call}/comments", json={"text": "hi"}).status_code == 403
        threads = crm.get(f"/v1/calls/{call}/comments").json()["items"]
    ours = [t for t in threads if t["id"] in (first["id"], early["id"])]
    assert [t["id"] for t in ours] == [early["id"], first["id"]]  # time order
    assert [r["text"] for r in ours[1]["replies"]] == ["Agreed", "and more"]
    with c("rep1") as dana:
        edited = dana.patch(f"/v1/calls/{call}/comments/{first['id']}", json={"text": "Price, at last"})
        assert edited.status_code == 200 and edited.json()["edited_at"] is not None
    with c("admin") as admin:  # an admin deletes anyone's comment
        assert admin.delete(f"/v1/calls/{call}/comments/{first['id']}").status_code == 204
        assert admin.delete(f"/v1/calls/{call}/comments/{first['id']}").status_code == 404
        thread = next(t for t in admin.get(f"/v1/calls/{call}/comments").json()["items"] if t["id"] == first["id"])
    assert (thread["deleted"], thread["text"], thread["author"]) == (True, "", None)
    assert [r["text"] for r in thread["replies"]] == ["Agreed", "and more"]  # replies stay readable
    with c("coach") as cora:
        assert cora.delete(f"/v1/calls/{call}/comments/{early['id']}").status_code == 204
        assert early["id"] not in {t["id"] for t in cora.get(f"/v1/calls/{call}/comments").json()["items"]}


def test_a_mention_notifies_and_mails_a_person_who_sees_the_call(rig: Rig) -> None:
    call, c = rig.call_id, rig.stack.client
    with c("rep1") as dana:
        r = dana.post(f"/v1/calls/{call}/comments", json={"text": "@Cora can you listen to this?", "start": 30.4})
        assert r.status_code == 201, r.text
        assert [p["name"] for p in r.json()["mentioned"]] == ["Cora"] and r.json()["not_visible_to"] == []
    with c("coach") as cora:
        found = cora.get("/v1/notifications").json()
        note = found["items"][0]
        assert found["unread"] >= 1 and note["read"] is False
        assert (note["link"], note["by"], note["call_title"]) == (f"/calls/{call}?t=30", "Dana", "Acme discovery")
        assert note["excerpt"] == "@Cora can you listen to this?"
        # The e-mail local part names a person too: dana.smith@example.test.
        r = cora.post(f"/v1/calls/{call}/comments", json={"text": "@dana.smith sure, nice question", "start": 31})
        assert [p["name"] for p in r.json()["mentioned"]] == ["Dana"]
    with c("rep1") as dana:
        assert dana.post(f"/v1/notifications/{note['id']}/read").status_code == 404  # not hers
        assert dana.get("/v1/notifications").json()["items"][0]["excerpt"].startswith("@dana.smith")
    with c("coach") as cora:
        read = cora.post(f"/v1/notifications/{note['id']}/read")
        assert read.status_code == 200 and read.json()["read"] is True
        assert cora.get("/v1/notifications").json()["unread"] == found["unread"] - 1
    with c("admin") as admin:  # a key of no person has no notifications
        assert admin.get("/v1/notifications").json() == {"unread": 0, "total": 0, "items": []}
    mail = rig.inbox.wait_for("cora@example.test")
    assert mail["From"] == "talktrack@example.test" and "Dana mentioned you" in mail["Subject"]
    body = mail.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert f"{PUBLIC}/calls/{call}?t=30" in body and "@Cora can you listen to this?" in body


def test_a_mention_never_shares_the_call_and_a_share_does(rig: Rig) -> None:
    call, c, eli_id = rig.call_id, rig.stack.client, rig.stack.ids["rep2"]
    with c("rep1") as dana:
        r = dana.post(f"/v1/calls/{call}/comments", json={"text": "@eli you should hear this", "start": 2})
        assert r.status_code == 201
        assert r.json()["not_visible_to"] == [{"user_id": eli_id, "name": "Eli"}] and r.json()["mentioned"] == []
        assert dana.post(f"/v1/calls/{call}/shares", json={"user_id": eli_id}).status_code == 403  # a rep
    with c("rep2") as eli:
        assert all(n["call_id"] != call for n in eli.get("/v1/notifications").json()["items"])
        assert eli.get(f"/v1/calls/{call}").status_code == 404
    time.sleep(0.5)
    assert not any("eli@example.test" in rcpt for rcpt, _ in rig.inbox.messages)
    with c("coach") as cora:
        r = cora.post(f"/v1/calls/{call}/shares", json={"user_id": eli_id})
        assert r.status_code == 201 and r.json()["saw_it_already"] is False
        assert cora.post(f"/v1/calls/{call}/shares", json={"user_id": eli_id}).status_code == 201  # one row
        assert cora.post(f"/v1/calls/{call}/shares", json={"user_id": rig.stack.ids["rep_b"]}).status_code == 422
    with c("rep2") as eli:
        assert eli.get(f"/v1/calls/{call}").status_code == 200
        assert eli.get(f"/v1/calls/{call}/transcript").status_code in (200, 409)  # seen (409: no analysis)
        assert eli.get(f"/v1/calls/{call}/comments").status_code == 200
        assert call in {x["id"] for x in eli.get("/v1/calls", params={"limit": 200}).json()["items"]}
        assert eli.post(f"/v1/calls/{call}/shares", json={"user_id": eli_id}).status_code == 403
    with c("rep1") as dana:
        r = dana.post(f"/v1/calls/{call}/comments", json={"text": "@eli now you can", "start": 3})
        assert [p["name"] for p in r.json()["mentioned"]] == ["Eli"]
    with c("admin") as admin:
        events = admin.get("/v1/audit", params={"action": "call.share"}).json()["items"]
        assert any(e["target_id"] == call and e["detail"].get("user_id") == eli_id for e in events)
        assert admin.delete(f"/v1/calls/{call}/shares/{eli_id}").status_code == 204
    with c("rep2") as eli:
        assert eli.get(f"/v1/calls/{call}").status_code == 404
        assert eli.get(f"/v1/calls/{call}/comments").status_code == 404
    from sqlmodel import col, func, select

    from models import CallShare
    from service.core.db import session_scope

    with session_scope(rig.stack.settings()) as s:
        assert s.exec(select(func.count()).select_from(CallShare).where(col(CallShare.call_id) == call)).one() == 0


def test_deleting_a_call_deletes_its_comments_notifications_and_shares(rig: Rig, h: Any) -> None:
    from sqlmodel import col, func, select

    from models import CallComment, CallShare, Notification
    from service.core.db import session_scope

    c = rig.stack.client
    with c("rep1") as dana:
        call = h.upload(dana, h.vtt, title="to delete").json()["id"]
        h.wait_status(dana, call)
        dana.post(f"/v1/calls/{call}/comments", json={"text": "@cora look", "start": 1})
    with c("admin") as admin:
        assert admin.post(f"/v1/calls/{call}/shares", json={"user_id": rig.stack.ids["rep2"]}).status_code == 201
        assert admin.delete(f"/v1/calls/{call}").status_code == 204
    with session_scope(rig.stack.settings()) as s:
        for model in (CallComment, Notification, CallShare):
            n = s.exec(select(func.count()).select_from(model).where(col(model.call_id) == call)).one()
            assert n == 0, model


def test_the_mention_mail_is_in_the_recipients_stored_language(rig: Rig) -> None:
    """Dana chose Chinese (`User.locale`, the web app's language switch): a mention mails her in
    Chinese; Cora, who chose nothing, keeps getting English."""
    from email.header import decode_header, make_header

    from models import User
    from service.core.db import session_scope

    def set_locale(locale: str | None) -> None:
        with session_scope(rig.stack.settings()) as s:
            user = s.get(User, rig.stack.ids["rep1"])
            assert user is not None
            user.locale = locale
            s.add(user)
            s.commit()

    def mail_with(address: str, marker: str, timeout: float = 15.0) -> Message:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for rcpt, msg in rig.inbox.messages:
                if address in rcpt and marker in msg.get_payload(decode=True).decode():  # type: ignore[union-attr]
                    return msg
            time.sleep(0.1)
        raise AssertionError(f"no mail to {address} saying {marker!r}")

    set_locale("zh_CN")
    try:
        with rig.stack.client("coach") as cora:
            r = cora.post(f"/v1/calls/{rig.call_id}/comments", json={"text": "@dana.smith 听听这里的报价 zh-1",
                                                                     "start": 12})
            assert r.status_code == 201 and [p["name"] for p in r.json()["mentioned"]] == ["Dana"]
        with rig.stack.client("rep1") as dana:
            assert dana.post(f"/v1/calls/{rig.call_id}/comments", json={"text": "@Cora thanks en-1", "start": 13}
                             ).status_code == 201
        chinese = mail_with("dana.smith@example.test", "zh-1")
        assert str(make_header(decode_header(chinese["Subject"]))) == "Cora 在“Acme discovery”中提及了你"
        body = chinese.get_payload(decode=True).decode().replace("\r\n", "\n")  # type: ignore[union-attr]
        assert body.startswith("Cora 在“Acme discovery”的 0:12 处的评论中提及了你：\n\n@dana.smith 听听这里的报价 zh-1\n")
        assert f"在该时刻打开通话：\n{PUBLIC}/calls/{rig.call_id}?t=12" in body
        english = mail_with("cora@example.test", "en-1")
        assert str(make_header(decode_header(english["Subject"]))) == "Dana mentioned you on Acme discovery"
    finally:
        set_locale(None)


def test_a_mail_server_that_is_down_never_fails_the_comment(rig: Rig) -> None:
    import httpx

    rig.smtp.stop()
    try:
        with rig.stack.client("rep1") as dana:
            r = dana.post(f"/v1/calls/{rig.call_id}/comments", json={"text": "@cora while mail is down", "start": 4})
            assert r.status_code == 201 and [p["name"] for p in r.json()["mentioned"]] == ["Cora"]
        with rig.stack.client("coach") as cora:
            assert cora.get("/v1/notifications").json()["items"][0]["excerpt"] == "@cora while mail is down"
        deadline, failed = time.monotonic() + 20, 0.0
        while time.monotonic() < deadline and not failed:
            metrics = httpx.get(f"{rig.stack.url}/metrics", timeout=10).text
            failed = sum(float(line.rsplit(" ", 1)[1]) for line in metrics.splitlines()
                         if line.startswith('talktrack_mention_mails{result="failed"}'))
            time.sleep(0.2)
        assert failed >= 1
    finally:
        rig.smtp = _smtp(rig.inbox, rig.port)
