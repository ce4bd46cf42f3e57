"""Chat payloads as a real local receiver gets them: each type's documented shape and
limits, and nothing from content acting as a mention or markup."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from notifyfixtures import add_incident, make_repo, receivers

from generator.cli import main

CHATS = ("slack", "mattermost", "discord", "teams", "google_chat")
YAML = "channels:\n" + "".join(
    f"  - id: {kind.replace('_', '-')}\n    type: {kind}\n    url: ${{{kind.upper()}_URL}}\n"
    for kind in CHATS)
HOSTILE = ("Hello <!channel> and <!here|here> and <@U024BE7LH>, @everyone @here "
           "&lt;users/all&gt; & *bold* [link](https://evil.test/) ops@example.com")


@pytest.fixture
def chats(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
          capsys: pytest.CaptureFixture[str]) -> Iterator[tuple[Path, dict[str, Any]]]:
    made = receivers()
    make = next(made)
    servers = {kind: make() for kind in CHATS}
    for kind, server in servers.items():
        monkeypatch.setenv(f"{kind.upper()}_URL", server.url)
    root = make_repo(tmp_path / "site", YAML)
    assert main(["notify", "--source", str(root), "--now", "2026-11-01T00:00:00Z"]) == 0
    capsys.readouterr()
    yield root, servers
    next(made, None)


def send(root: Path, message: str, title: str = "2026-11-02-api-errors") -> None:
    add_incident(root, title, [("2026-11-02T09:00:00Z", "investigating", message)],
                 {"api": "major_outage"}, extra="impact: major\n")
    assert main(["notify", "--source", str(root), "--now", "2026-11-02T09:30:00Z",
                 "--retry-delay", "0"]) == 0


def first(server: Any) -> Any:
    return json.loads(server.requests[0].body)


def test_slack_block_kit_with_escaped_text(chats: Any) -> None:
    root, servers = chats
    send(root, HOSTILE)
    body = first(servers["slack"])
    zw = "\u200b"
    message = (f"Hello &lt;!channel&gt; and &lt;!here|here&gt; and &lt;@{zw}U024BE7LH&gt;, "
               f"@{zw}everyone @{zw}here &lt;users/all&gt; &amp; bold link "
               "(https://evil.test/) ops@example.com")
    assert body == {
        "text": f"Api errors — Investigating: {message}",
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text":
             "*<https://status.test/incidents/2026-11-02-api-errors/|Api errors>*\n"
             "Investigating"}},
            {"type": "section", "text": {"type": "mrkdwn", "text": message}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "API: Major outage"}]},
        ]}


def test_slack_and_discord_limits_with_the_longest_message(chats: Any) -> None:
    root, servers = chats
    send(root, "<>&" * 3000 + "x" * 900)  # 9,900 characters, 3 times longer escaped
    slack = first(servers["slack"])
    section = slack["blocks"][1]["text"]["text"]
    assert len(section) <= 3000 and section.endswith("…")
    assert section.startswith("&lt;&gt;&amp;") and "&am…" not in section  # no cut escape
    assert len(slack["text"]) <= 4000
    embed = first(servers["discord"])["embeds"][0]
    total = len(embed["title"]) + len(embed["description"]) + len(embed["footer"]["text"]) \
        + sum(len(f["name"]) + len(f["value"]) for f in embed["fields"])
    assert len(embed["description"]) <= 4096 and total <= 6000
    assert len(embed["fields"]) <= 25
    assert first(servers["mattermost"])["text"].__len__() <= 16383
    teams = servers["teams"].requests[0].body
    assert len(teams) <= 28000


def test_discord_embed_mentions_off_and_colour_by_impact(chats: Any) -> None:
    root, servers = chats
    send(root, HOSTILE)
    body = first(servers["discord"])
    assert body["allowed_mentions"] == {"parse": []}
    embed = body["embeds"][0]
    assert embed["title"] == "Api errors"
    assert embed["url"] == "https://status.test/incidents/2026-11-02-api-errors/"
    assert embed["color"] == 0xEF6C00  # impact major
    assert embed["fields"] == [
        {"name": "Status", "value": "Investigating", "inline": True},
        {"name": "Details", "value": "API: Major outage", "inline": False}]
    assert "@\u200beveryone" in embed["description"]
    assert "\\<@U024BE7LH\\>" in embed["description"].replace("\u200b", "")
    assert embed["footer"] == {"text": "Test Status"}


def test_teams_adaptive_card(chats: Any) -> None:
    root, servers = chats
    send(root, "All *fine* [1].")
    body = first(servers["teams"])
    assert body["type"] == "message"
    (attachment,) = body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert (card["type"], card["version"]) == ("AdaptiveCard", "1.4")
    assert [b["text"] for b in card["body"]] == ["Api errors", "Investigating",
                                                 "All fine \\[1\\].",
                                                 "API: Major outage"]
    assert card["actions"] == [{"type": "Action.OpenUrl", "title": "Test Status",
                                "url": "https://status.test/incidents/2026-11-02-api-errors/"}]


def test_google_chat_card_is_escaped_html(chats: Any) -> None:
    root, servers = chats
    send(root, HOSTILE)
    body = first(servers["google_chat"])
    (card,) = body["cardsV2"]
    widgets = card["card"]["sections"][0]["widgets"]
    text = widgets[1]["textParagraph"]["text"]
    assert "&lt;users/all&gt;" in text and "<users/all>" not in text
    assert widgets[0] == {"textParagraph": {"text": "Investigating"}}
    assert card["card"]["header"] == {"title": "Api errors", "subtitle": "Test Status"}
    assert widgets[-1]["buttonList"]["buttons"][0]["onClick"] == {
        "openLink": {"url": "https://status.test/incidents/2026-11-02-api-errors/"}}
    assert body["fallbackText"] == "Api errors — Investigating"


def test_mattermost_markdown_with_mentions_neutralised(chats: Any) -> None:
    root, servers = chats
    send(root, "Ask @channel or @all, or write to ops@example.com [now](https://x.test/).")
    text = first(servers["mattermost"])["text"]
    assert text == ("**[Api errors](https://status.test/incidents/2026-11-02-api-errors/)** — "
                    "Investigating\n\nAsk @\u200bchannel or @\u200ball, or write to "
                    "ops@example.com now \\(https://x.test/\\).\n\nAPI: Major outage")
