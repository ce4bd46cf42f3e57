"""One notify run: the events each channel has not had yet, sent in order, recorded one by
one in the state file.

- A channel the state does not know yet (the first run, or a channel just added) is
  recorded as having had everything so far; it is sent nothing this run.
- A channel's deliveries go in event order; after one fails (after its retries), the
  rest of that channel's wait for the next run, so it never gets them out of order.
  Other channels go on.
- Lines name channels by id and events by key: never a URL, a secret or an address.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

from generator import __version__
from generator.errors import printable
from generator.notify.config import Channel, NotifyConfig
from generator.notify.events import NotifyEvent, component_events, entry_events
from generator.notify.payloads import Message, chat_payload, email, message, webhook_body
from generator.notify.state import ChannelState, NotifyState, recipient_digest
from generator.notify.transport import (
    DeliveryError,
    RetryPolicy,
    connect,
    hang_up,
    post,
    send_mail,
    with_retries,
)
from generator.outputs.api import Api
from generator.outputs.context import Context

USER_AGENT = f"Heliograph/{__version__} (+https://pypi.org/project/heliograph/)"


@dataclass
class Report:
    sent: int = 0
    pending: list[tuple[str, str, str]] = field(default_factory=list)  # channel, event, why


@dataclass
class Run:
    ctx: Context
    config: NotifyConfig
    store: NotifyState
    policy: RetryPolicy
    dry_run: bool = False
    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)

    def __post_init__(self) -> None:
        self.api = Api(self.ctx)
        self.deadline = time.monotonic() + self.policy.budget

    def save(self) -> None:
        if not self.dry_run:
            self.store.save()

    def start(self, events: list[NotifyEvent]) -> list[Channel]:
        """Records channels seen for the first time as up to date; returns the others."""
        statuses = self.ctx.state.component_status
        ready = []
        for channel in self.config.channels:
            known = self.store.channels.get(channel.id)
            if known is None:
                self.store.channels[channel.id] = ChannelState(
                    {e.key for e in events}, {}, {cid: (s, 0) for cid, s in statuses.items()})
                why = "first run" if not self.store.existed else "new channel"
                print(f"heliograph: notify: {why} for channel '{channel.id}': recorded "
                      f"{len(events)} past events as sent; nothing is sent to it this run.",
                      file=self.err)
                continue
            for cid, status in statuses.items():  # a component just added: nothing to tell
                known.components.setdefault(cid, (status, 0))
            for cid in set(known.components) - set(statuses):
                del known.components[cid]  # removed from components.yaml
            ready.append(channel)
        for gone in set(self.store.channels) - {c.id for c in self.config.channels}:
            del self.store.channels[gone]  # re-adding it later starts afresh, silently
        self.save()
        return ready

    def run(self) -> Report:
        events = entry_events(self.ctx.content, self.ctx.state, self.config.maintenance_before)
        report = Report()
        order = tuple(c.id for c in self.ctx.content.components)
        for channel in self.start(events):
            known = self.store.channels[channel.id]
            todo = [e for e in events if e.key not in known.sent]
            todo += component_events(self.ctx.state, known.components, order)
            failed = ""
            for event in todo:
                if not channel.wants(event.kind, event.components):
                    self.done(known, event, save=False)  # nothing went out: no hurry
                    continue
                if failed:
                    report.pending.append((channel.id, event.key, "waits for the delivery "
                                           "that failed before it"))
                    continue
                try:
                    self.deliver(channel, known, event)
                    report.sent += 1
                except DeliveryError as exc:
                    failed = exc.reason
                    report.pending.append((channel.id, event.key, exc.reason))
        self.save()
        return report

    def done(self, known: ChannelState, event: NotifyEvent, save: bool = True) -> None:
        if event.component:
            _, count = known.components[event.component]
            known.components[event.component] = (event.new, count + 1)
        else:
            known.sent.add(event.key)
        known.partial.pop(event.key, None)
        if save:
            self.save()

    def deliver(self, channel: Channel, known: ChannelState, event: NotifyEvent) -> None:
        m = message(event, self.ctx)
        if self.dry_run:
            what = f"{event.kind} {event.action}" + (" (retrospective)"
                                                     if event.retrospective else "")
            print(printable(f"would send {event.key} to {channel.id} ({channel.type}): "
                            f"{what}: {m.title} — {m.status}"), file=self.out)
            return
        if channel.type == "email":
            self.deliver_email(channel, known, event)
        else:
            body, headers = self.http_request(channel, event, m)
            with_retries(lambda: post(channel.url, body, headers, self.policy.timeout),
                         self.policy, self.deadline)
        self.done(known, event)
        print(printable(f"sent {event.key} to {channel.id} ({channel.type})"), file=self.out)

    def http_request(self, channel: Channel, event: NotifyEvent,
                     m: Message) -> tuple[bytes, dict[str, str]]:
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT,
                   "X-Heliograph-Event": event.key}
        if event.retrospective:  # Statuspage's objects have no key for it
            headers["X-Heliograph-Retrospective"] = "true"
        if channel.type == "webhook":
            body = webhook_body(event, self.api, self.ctx.state.generated)
            digest = hmac.new(channel.secret.encode(), body, hashlib.sha256).hexdigest()
            headers["X-Heliograph-Signature"] = f"sha256={digest}"
        else:
            payload = chat_payload(channel.type, m, self.ctx)
            body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        return body, headers

    def deliver_email(self, channel: Channel, known: ChannelState, event: NotifyEvent) -> None:
        """One message per recipient, each recorded when accepted: a failure midway sends
        the rest next run, not the whole list again."""
        assert channel.smtp is not None
        m = message(event, self.ctx)
        done = known.partial.setdefault(event.key, set())
        session: list[smtplib.SMTP] = []  # the open connection, reused between recipients

        def send_to(recipient: str) -> Callable[[], None]:
            def send() -> None:
                assert channel.smtp is not None
                if not session:
                    session.append(connect(channel.smtp, self.policy.timeout))
                msg = email(event, m, channel, self.ctx, recipient, self.ctx.state.generated)
                try:
                    send_mail(session[0], msg, msg["From"].addresses[0].addr_spec, recipient)
                except (DeliveryError, TimeoutError):
                    hang_up(session.pop())  # the session may be mid-command: a new one
                    raise
            return send

        try:
            for recipient in channel.to:
                digest = recipient_digest(channel.id, recipient)
                if digest in done:
                    continue
                with_retries(send_to(recipient), self.policy, self.deadline)
                done.add(digest)
                self.save()
        finally:
            if session:
                hang_up(session.pop())


def summary(report: Report, err: TextIO) -> int:
    for channel, key, why in report.pending:
        print(printable(f"heliograph: notify: pending: channel '{channel}', event {key}: {why}"),
              file=err)
    if report.pending:
        print(f"heliograph: notify: {len(report.pending)} deliveries pending; the next run "
              "sends them.", file=err)
        return 1
    return 0
