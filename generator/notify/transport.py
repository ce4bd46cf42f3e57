"""Sending: an HTTP POST or an SMTP message, with bounded retries.

A failure is described by a fixed phrase (`HTTP 503`, `timed out`, `SMTP 451`), never by
the exception's text, which may quote the host, the URL or the server's reply.
"""

from __future__ import annotations

import http.client
import signal
import smtplib
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from types import FrameType
from urllib.parse import urlsplit

from generator.notify.config import Smtp

MAX_REPLY_BYTES = 65_536  # of a webhook's reply: read (so the connection ends) and ignored


class DeliveryError(Exception):
    def __init__(self, reason: str, retry: bool):
        super().__init__(reason)
        self.reason = reason
        self.retry = retry  # worth trying again within the run


@dataclass(frozen=True)
class RetryPolicy:
    """How hard one run tries: `attempts` per delivery, waiting `delay` seconds before the
    second and twice as long before each next; `timeout` seconds per network operation;
    no new attempt once `budget` seconds of the run have passed."""

    attempts: int = 3
    delay: float = 2.0
    timeout: float = 10.0
    budget: float = 300.0


# One attempt may take this many times `timeout` in all (connecting, sending, reading the
# reply): the per-operation timeout alone lets a server that trickles a byte at a time
# hold a run for hours.
ATTEMPT_TIMEOUTS = 3


def _late(signum: int, frame: FrameType | None) -> None:
    raise TimeoutError("the attempt took too long")


@contextmanager
def attempt_limit(seconds: float) -> Iterator[None]:
    """Raises TimeoutError inside the block once `seconds` of wall-clock time have passed.
    (A timer signal: notify sends from the main thread; elsewhere there is no limit.)"""
    if threading.current_thread() is not threading.main_thread() or seconds <= 0:
        yield
        return
    previous = signal.signal(signal.SIGALRM, _late)
    try:
        signal.setitimer(signal.ITIMER_REAL, seconds)
        yield
    finally:
        try:  # disarm, then restore the handler even if the timer fires meanwhile
            signal.setitimer(signal.ITIMER_REAL, 0)
        finally:
            signal.signal(signal.SIGALRM, previous)


def with_retries(send: Callable[[], None], policy: RetryPolicy, deadline: float) -> None:
    delay = policy.delay
    for attempt in range(1, policy.attempts + 1):
        if time.monotonic() >= deadline:
            raise DeliveryError("the run's time limit was reached", False)
        try:
            try:
                with attempt_limit(policy.timeout * ATTEMPT_TIMEOUTS):
                    send()
            except TimeoutError:  # the limit fired outside the network code's handlers
                raise DeliveryError("timed out", True) from None
            return
        except DeliveryError as exc:
            if not exc.retry or attempt == policy.attempts \
                    or time.monotonic() + delay >= deadline:
                if attempt > 1:
                    raise DeliveryError(f"{exc.reason} (after {attempt} attempts)",
                                        exc.retry) from None
                raise
        time.sleep(delay)
        delay *= 2


def _network(exc: BaseException) -> DeliveryError:
    if isinstance(exc, TimeoutError):
        return DeliveryError("timed out", True)
    if isinstance(exc, ssl.SSLError):
        return DeliveryError("TLS error", True)
    if isinstance(exc, ConnectionRefusedError):
        return DeliveryError("connection refused", True)
    if isinstance(exc, ConnectionError):
        return DeliveryError("connection lost", True)
    if isinstance(exc, http.client.HTTPException):
        return DeliveryError("invalid HTTP response", True)
    return DeliveryError(f"network error ({type(exc).__name__})", True)


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> None:
    """POST `body`; success is a 2xx reply. Redirects are not followed (a webhook URL that
    moved is a configuration to fix, and a redirect must not carry the body elsewhere)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(host, parts.port, timeout=timeout,
                                                 context=ssl.create_default_context())
    else:
        connection = http.client.HTTPConnection(host, parts.port, timeout=timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", path, body, headers)
        reply = connection.getresponse()
        reply.read(MAX_REPLY_BYTES)
        status = reply.status
    except (OSError, http.client.HTTPException) as exc:
        raise _network(exc) from None
    except ValueError:  # http.client refusing the request line: said without the URL
        raise DeliveryError("the URL cannot be sent", False) from None
    finally:
        connection.close()
    if not 200 <= status < 300:
        raise DeliveryError(f"HTTP {status}", status in (408, 429) or status >= 500)


def _open(smtp: Smtp, timeout: float) -> smtplib.SMTP:
    session: smtplib.SMTP | None = None
    try:
        if smtp.security == "tls":
            session = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=timeout,
                                       context=ssl.create_default_context())
        else:
            session = smtplib.SMTP(smtp.host, smtp.port, timeout=timeout)
        if smtp.security == "starttls":
            session.starttls(context=ssl.create_default_context())
        if smtp.username:
            session.login(smtp.username, smtp.password)
        return session
    except BaseException:
        if session is not None:
            session.close()
        raise


def connect(smtp: Smtp, timeout: float) -> smtplib.SMTP:
    """A logged-in SMTP connection (TLS from the start, upgraded by STARTTLS, or plain for
    local relays and tests); failures as DeliveryError."""
    try:
        return _open(smtp, timeout)
    except smtplib.SMTPAuthenticationError:
        raise DeliveryError("the SMTP server refused the user name or password",
                            False) from None
    except smtplib.SMTPNotSupportedError:
        raise DeliveryError("the SMTP server does not offer STARTTLS or login", False) from None
    except smtplib.SMTPResponseException as exc:
        raise DeliveryError(f"SMTP {exc.smtp_code}", 400 <= exc.smtp_code < 500) from None
    except (OSError, smtplib.SMTPException) as exc:
        raise _network(exc) from None


def hang_up(session: smtplib.SMTP) -> None:
    try:
        session.quit()
    except (OSError, smtplib.SMTPException):
        session.close()


def send_mail(session: smtplib.SMTP, msg: EmailMessage, sender: str, recipient: str) -> None:
    try:
        session.send_message(msg, from_addr=sender, to_addrs=[recipient])
    except smtplib.SMTPRecipientsRefused as exc:
        code = next(iter(exc.recipients.values()))[0]
        raise DeliveryError(f"SMTP {code}: recipient refused", 400 <= code < 500) from None
    except smtplib.SMTPResponseException as exc:
        raise DeliveryError(f"SMTP {exc.smtp_code}", 400 <= exc.smtp_code < 500) from None
    except (OSError, smtplib.SMTPException) as exc:
        raise _network(exc) from None
