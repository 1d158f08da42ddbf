"""The e-mail an @mention sends when `TALKTRACK_SMTP_URL` is set: a short plain-text message with a
link to the moment of the call, sent on a background thread after the comment is committed, so a
mail server that is slow or down never fails (or slows) the comment. A failure is logged and
counted (`stats()`, and `talktrack_mention_mails{result}` on `/metrics`).

The mail is written in the recipient's language (`Mail.locale`, `service.core.i18n`): the one they
chose with the web app's language switch (`User.locale`, `comments.mail_mentions`), else English (a
browser's cookie or Accept-Language is not theirs to read when someone else mentions them).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from urllib.parse import unquote, urlsplit

from service.core.i18n import DEFAULT_LOCALE, tr
from transcription.display import clock

log = logging.getLogger(__name__)
TIMEOUT_S = 10.0
_counts: Counter[str] = Counter()
_lock = threading.Lock()
_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mention-mail")


@dataclass(frozen=True, slots=True)
class Mail:
    to_address: str
    to_name: str
    by: str
    call_title: str
    at_s: float
    excerpt: str
    link: str  # absolute
    locale: str = DEFAULT_LOCALE  # the recipient's language


@dataclass(frozen=True, slots=True)
class SmtpServer:
    host: str
    port: int
    tls: bool  # smtps: TLS from the start
    user: str | None
    password: str | None


def parse_smtp_url(url: str) -> SmtpServer:
    """`smtp://[user:password@]host[:port]` (port 25; STARTTLS when the server offers it and a
    sign-in is given) or `smtps://...` (TLS, port 465). ValueError for anything else."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError("TALKTRACK_SMTP_URL should look like smtp://host:port or smtps://user:password@host")
    return SmtpServer(parts.hostname, parts.port or (465 if scheme == "smtps" else 25), scheme == "smtps",
                      unquote(parts.username) if parts.username else None,
                      unquote(parts.password) if parts.password else None)


def message(mail: Mail, sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = formataddr((mail.to_name, mail.to_address))
    loc = mail.locale
    msg["Subject"] = tr(loc, "%(by)s mentioned you on %(call)s", by=mail.by, call=mail.call_title)[:200]
    msg["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1] or "localhost")
    said = tr(loc, "%(by)s mentioned you in a comment at %(time)s of \"%(call)s\":", by=mail.by,
              time=clock(mail.at_s), call=mail.call_title)
    open_it = tr(loc, "Open the call at that moment:")
    why = tr(loc, "Talktrack (you get this because someone @mentioned you)")
    msg.set_content(f"{said}\n\n{mail.excerpt}\n\n{open_it}\n{mail.link}\n\n-- {why}\n")
    return msg


def send_now(server: SmtpServer, sender: str, mails: list[Mail]) -> None:
    """Send the mails over one connection (raises on failure)."""
    context = ssl.create_default_context()
    smtp: smtplib.SMTP = (smtplib.SMTP_SSL(server.host, server.port, timeout=TIMEOUT_S, context=context)
                          if server.tls else smtplib.SMTP(server.host, server.port, timeout=TIMEOUT_S))
    with smtp:
        smtp.ehlo()
        if not server.tls and server.user and smtp.has_extn("starttls"):
            smtp.starttls(context=context)
            smtp.ehlo()
        if server.user:
            smtp.login(server.user, server.password or "")
        for mail in mails:
            smtp.send_message(message(mail, sender))


def _deliver(url: str, sender: str, mails: list[Mail]) -> None:
    try:
        send_now(parse_smtp_url(url), sender, mails)
    except (OSError, smtplib.SMTPException, ValueError) as exc:
        with _lock:
            _counts["failed"] += len(mails)
        log.warning("could not send %d mention e-mail(s): %s", len(mails), exc)
        return
    with _lock:
        _counts["sent"] += len(mails)


def send_later(url: str | None, sender: str, mails: list[Mail]) -> Future[None] | None:
    """Queue the mails on the background thread (nothing without a URL or mails)."""
    if not url or not mails:
        return None
    return _pool.submit(_deliver, url, sender, mails)


def stats() -> dict[str, int]:
    """Mention e-mails sent and failed by this process."""
    with _lock:
        return {"sent": _counts["sent"], "failed": _counts["failed"]}
