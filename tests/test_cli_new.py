"""`heliograph new`, driven through the real command line."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from generator.cli import main
from generator.content.load import load_content

NOW = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)

pytestmark = pytest.mark.usefixtures("no_terminal")


class Terminal(io.StringIO):
    """Typed answers, on what looks like a terminal."""

    def isatty(self) -> bool:
        return True


def incidents(site: Path) -> set[str]:
    return {p.name for p in (site / "content" / "incidents").iterdir()}


def new(site: Path, *argv: str) -> int:
    return main(["new", *argv, "--source", str(site)])


def test_new_incident_writes_the_file_and_prints_its_path(site: Path, capsys) -> None:
    code = new(site, "incident", "Elevated API error rates", "--component", "api=partial_outage",
               "--component", "website=degraded_performance", "--message",
               "Some requests fail.\n\nWe are *on it*: more soon.", "--at",
               "2026-11-20T14:02:00Z")
    out = capsys.readouterr().out
    path = site / "content/incidents/2026-11-20-elevated-api-error-rates.md"
    assert code == 0
    assert out == f"{path}\n"
    assert path.read_text() == (
        "---\n"
        "title: Elevated API error rates\n"
        "components:\n"
        "  api: partial_outage\n"
        "  website: degraded_performance\n"
        "updates:\n"
        "  - at: 2026-11-20T14:02:00Z\n"
        "    status: investigating\n"
        "    message: |\n"
        "      Some requests fail.\n"
        "\n"
        "      We are *on it*: more soon.\n"
        "---\n")
    loaded = {i.slug: i for i in load_content(site, NOW).incidents}
    incident = loaded["2026-11-20-elevated-api-error-rates"]
    assert incident.updates[0].message == "Some requests fail.\n\nWe are *on it*: more soon."


def test_titles_and_messages_that_need_quoting_survive(site: Path, capsys) -> None:
    title = 'Payments: "yes" # not a comment'
    message = "Status: degraded - 100% of requests #1"
    assert new(site, "notice", title, "--message", message, "--at", "2026-11-20T10:00Z") == 0
    path = Path(capsys.readouterr().out.strip())
    assert path.name == "2026-11-20-payments-yes-not-a-comment.md"
    incident = next(i for i in load_content(site, NOW).incidents if i.slug == path.stem)
    assert (incident.title, incident.updates[0].message, incident.type) == \
        (title, message, "notice")


def test_same_title_twice_gets_a_new_name_and_never_overwrites(site: Path, capsys) -> None:
    argv = ("incident", "Login is slow", "--component", "sign-in=degraded_performance",
            "--at", "2026-11-20T10:00:00Z")
    assert new(site, *argv, "--message", "first") == 0
    first = Path(capsys.readouterr().out.strip())
    before = first.read_bytes()
    assert new(site, *argv, "--message", "second") == 0
    second = Path(capsys.readouterr().out.strip())
    assert second.name == "2026-11-20-login-is-slow-2.md"
    assert first.read_bytes() == before


def test_defaults_for_maintenance_and_backfilled(site: Path, capsys) -> None:
    assert new(site, "maintenance", "Database upgrade", "--window", "2026-12-10T02:00:00Z",
               "2026-12-10T04:00:00Z", "--component", "api", "--at",
               "2026-11-25T09:00:00Z") == 0
    maintenance = Path(capsys.readouterr().out.strip())
    assert maintenance.name == "2026-12-10-database-upgrade.md"  # the window's day
    text = maintenance.read_text()
    assert "type: maintenance\n" in text and "status: scheduled\n" in text
    assert "  api: under_maintenance\n" in text
    assert "window:\n  start: 2026-12-10T02:00:00Z\n  end: 2026-12-10T04:00:00Z\n" in text
    assert new(site, "incident", "Short blip", "--backfilled", "--component",
               "api=major_outage", "--at", "2026-11-21T08:00:00Z") == 0
    blip = Path(capsys.readouterr().out.strip()).read_text()
    assert "backfilled: true\n" in blip and "status: resolved\n" in blip
    assert "message: This incident has been resolved.\n" in blip
    assert main(["check", "--source", str(site)]) == 0


def test_local_time_and_file_date_use_the_site_time_zone(site: Path, capsys) -> None:
    settings = site / "content/site.yaml"
    settings.write_text(settings.read_text().replace("timezone: UTC", "timezone: Europe/Berlin"))
    assert new(site, "incident", "Night trouble", "--component", "api=major_outage",
               "--at", "2026-11-21T00:30", "--message", "Down.") == 0
    path = Path(capsys.readouterr().out.strip())
    assert path.name == "2026-11-21-night-trouble.md"  # local date, not UTC's 11-20
    assert "  - at: 2026-11-20T23:30:00Z\n" in path.read_text()


def test_without_at_the_update_is_now(site: Path, capsys) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    assert new(site, "incident", "Right now", "--component", "api=major_outage") == 0
    path = Path(capsys.readouterr().out.strip())
    incident = next(i for i in load_content(site, datetime.now(UTC)).incidents
                    if i.slug == path.stem)
    assert before <= incident.started_at <= datetime.now(UTC)
    assert path.name.startswith(incident.started_at.date().isoformat())
    assert incident.updates[0].message.startswith("We are investigating")


@pytest.mark.parametrize(("argv", "expected"), [
    (["incident", "X", "--component", "apii=major_outage"], "did you mean 'api'"),
    (["incident", "X", "--component", "api=down"], "unknown component status 'down'"),
    (["incident", "X", "--component", "api"], "has no status"),
    (["incident", "X", "--status", "scheduled"], "not an incident status"),
    (["maintenance", "X", "--status", "resolved", "--window", "2026-12-01T01:00Z",
      "2026-12-01T02:00Z"], "not a maintenance status"),
    (["incident", "X", "--at", "2099-01-01T00:00:00Z"], "in the future"),
    (["incident", "X", "--at", "yesterday"], "--at"),
    (["maintenance", "X"], "needs its window"),
    (["maintenance", "X", "--window", "2026-12-01T03:00Z", "2026-12-01T02:00Z"],
     "ends before it starts"),
    (["incident", "X", "--window", "2026-12-01T01:00Z", "2026-12-01T02:00Z"],
     "only a maintenance has a window"),
    (["notice", "X", "--component", "api=major_outage"], "a notice affects no components"),
    (["incident"], "a TITLE is needed"),
    ([], "say what to declare"),
    (["incident", "X", "--slug", "Payment API"], "e.g. 'payment-api' (the date is added)"),
    (["incident", "X", "--slug", "../x"], "is not a file name for the URL"),
])
def test_mistakes_are_clear_errors_and_write_nothing(site: Path, capsys, argv: list[str],
                                                      expected: str) -> None:
    before = incidents(site)
    assert new(site, *argv) == 1
    err = capsys.readouterr().err
    assert expected in err and "nothing was written" in err
    assert "Traceback" not in err
    assert incidents(site) == before


def test_unknown_type_is_a_usage_error_with_exit_1(site: Path, capsys) -> None:
    assert_exit = pytest.raises(SystemExit)
    with assert_exit as caught:
        new(site, "outage", "X")
    assert caught.value.code == 1
    assert "invalid choice" in capsys.readouterr().err


def test_broken_site_settings_stop_new_before_writing(site: Path, capsys) -> None:
    (site / "content/components.yaml").write_text("groups: [\n")
    before = incidents(site)
    assert new(site, "incident", "X", "--component", "api=major_outage") == 1
    assert "content/components.yaml:" in capsys.readouterr().err
    assert incidents(site) == before


def test_without_a_terminal_it_never_asks(site: Path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("A title typed too early\n"))
    assert new(site, "incident") == 1
    captured = capsys.readouterr()
    assert "Title" not in captured.err and "a TITLE is needed" in captured.err
    assert sys.stdin.read() == "A title typed too early\n"  # nothing was read


def test_with_any_option_it_never_asks_even_on_a_terminal(site: Path, monkeypatch,
                                                           capsys) -> None:
    monkeypatch.setattr(sys, "stdin", Terminal("should not be read\n"))
    assert new(site, "incident", "Scripted", "--component", "api=major_outage") == 0
    assert "?" not in capsys.readouterr().err
    assert sys.stdin.read() == "should not be read\n"


def test_on_a_terminal_it_asks_the_decision_questions_then_the_rest(site: Path, monkeypatch,
                                                                    capsys) -> None:
    answers = [
        "n", "n", "n", "y",  # planned? announcement? already over? visible/confirmed? yes
        "Checkout fails for some cards",  # title
        "2, website",  # components: by number (api) and by id
        "3",  # api: major_outage (an incident's list: no operational, no under_maintenance)
        "",  # website: the default, partial_outage
        "",  # status: the default, investigating
        "",  # when did it start: now
        "Some card payments fail. We are investigating.",
    ]
    monkeypatch.setattr(sys, "stdin", Terminal("\n".join(answers) + "\n"))
    assert new(site) == 0
    captured = capsys.readouterr()
    assert "Incident or conversation?" in captured.err
    assert "api (API)" in captured.err  # components are offered from components.yaml
    path = Path(captured.out.strip())
    text = path.read_text()
    assert path.name.endswith("-checkout-fails-for-some-cards.md")
    assert "components:\n  api: major_outage\n  website: partial_outage\n" in text
    assert "status: investigating\n" in text
    assert "message: Some card payments fail. We are investigating.\n" in text


def test_planned_work_answer_makes_a_maintenance(site: Path, monkeypatch, capsys) -> None:
    answers = ["y", "Search index rebuild", "2026-12-24T01:00:00Z", "2026-12-24T03:00:00Z",
               "docs", "", "", ""]
    monkeypatch.setattr(sys, "stdin", Terminal("\n".join(answers) + "\n"))
    assert new(site) == 0
    path = Path(capsys.readouterr().out.strip())
    assert path.name == "2026-12-24-search-index-rebuild.md"
    text = path.read_text()
    assert "type: maintenance\n" in text and "  docs: under_maintenance\n" in text
    assert "status: scheduled\n" in text


def test_deciding_not_to_declare_writes_nothing(site: Path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(sys, "stdin", Terminal("n\nn\nn\nn\nn\n"))
    before = incidents(site)
    assert new(site) == 0
    err = capsys.readouterr().err
    assert "one account's problem" in err and "Nothing written." in err
    assert incidents(site) == before


def test_closing_the_input_midway_cancels(site: Path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(sys, "stdin", Terminal("n\nn\nn\ny\n"))
    before = incidents(site)
    assert new(site) == 1
    assert "Cancelled" in capsys.readouterr().err
    assert incidents(site) == before


def test_the_installed_entry_point_works_from_a_script(site: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "generator", "new", "notice", "Scheduled API deprecation",
         "--message", "v1 goes away in June.", "--at", "2026-11-20T10:00:00Z",
         "--source", str(site)],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()).is_file()


def asked(site: Path, monkeypatch, capsys, answers: list[str]) -> tuple[str, str]:
    """Runs `new` with no options on a terminal; (the file written, the questions)."""
    monkeypatch.setattr(sys, "stdin", Terminal("\n".join(answers) + "\n"))
    assert new(site) == 0
    captured = capsys.readouterr()
    return Path(captured.out.strip()).read_text(), captured.err


def test_free_text_at_a_yes_no_question_is_asked_again(site: Path, monkeypatch,
                                                      capsys) -> None:
    answers = ["it is a planned upgrade", "Y", "Search index rebuild", "2026-12-24T01:00:00Z",
               "2026-12-24T03:00:00Z", "docs", "", "", ""]
    text, err = asked(site, monkeypatch, capsys, answers)
    assert err.count("Is it planned work? (y/N): ") == 2
    assert "please answer y or n" in err
    assert "type: maintenance\n" in text


def test_an_incident_offers_no_maintenance_status_a_maintenance_does(site: Path, monkeypatch,
                                                                     capsys) -> None:
    incident = ["n", "n", "n", "yes", "Slow API", "api", "", "", "", ""]
    text, err = asked(site, monkeypatch, capsys, incident)
    offered = err.split("Status of api")[0].rsplit("comma-separated; Enter = none): ", 1)[1]
    assert offered == ("  1. degraded_performance\n  2. partial_outage\n  3. major_outage\n")
    assert "  api: partial_outage\n" in text
    maintenance = ["y", "Upgrade", "2026-12-24T01:00:00Z", "2026-12-24T03:00:00Z", "api", "",
                   "", ""]
    _, err = asked(site, monkeypatch, capsys, maintenance)
    offered = err.split("Status of api")[0].rsplit("comma-separated; Enter = none): ", 1)[1]
    assert offered.startswith("  1. under_maintenance\n  2. degraded_performance\n")


def test_it_asks_when_the_problem_started_in_the_site_s_time_zone(site: Path, monkeypatch,
                                                                  capsys) -> None:
    settings = site / "content/site.yaml"
    settings.write_text(settings.read_text().replace("timezone: UTC", "timezone: Asia/Tokyo"))
    tokyo = ZoneInfo("Asia/Tokyo")
    today = datetime.now(tokyo).date()
    answers = ["n", "n", "n", "y", "Slow API", "api", "", "",
               "2999-01-01T00:00:00Z",  # in the future: asked again
               "00:00",  # today, midnight in Tokyo: 15:00 UTC the day before
               ""]
    text, err = asked(site, monkeypatch, capsys, answers)
    assert "When did it start? (Enter = now; 14:05 = today at 14:05 Asia/Tokyo; or ISO 8601)" \
           in err
    assert "2999-01-01T00:00:00Z is in the future; try again" in err
    if datetime.now(tokyo).date() == today:  # not across midnight in Tokyo
        assert f"  - at: {today - timedelta(days=1)}T15:00:00Z\n" in text, text


def test_non_latin_titles_get_transliterated_slugs(site: Path, capsys) -> None:
    for title, slug in [("決済APIの障害", "jue-ji-api-no-zhang-hai"),
                        ("支払い障害", "zhi-fan-i-zhang-hai"),
                        ("Сбой платежей", "sboy-platezhey"),
                        ("Αργή σύνδεση", "argi-syndesi"),
                        ("تعطل الدفع", "t-tl-ldf"),
                        ("API-Störung 💥", "api-storung")]:
        assert new(site, "incident", title, "--component", "api=major_outage",
                   "--at", "2026-11-20T10:00:00Z") == 0
        path = Path(capsys.readouterr().out.strip())
        assert path.name == f"2026-11-20-{slug}.md"
        assert f"title: {title}\n" in path.read_text()


def test_slug_option_names_the_file(site: Path, capsys) -> None:
    assert new(site, "incident", "決済APIの障害", "--slug", "payment-api-outage",
               "--component", "api=major_outage", "--at", "2026-11-20T10:00:00Z") == 0
    assert capsys.readouterr().out.strip().endswith("/2026-11-20-payment-api-outage.md")


def test_a_non_latin_title_on_a_terminal_asks_for_the_file_name(site: Path, monkeypatch,
                                                                capsys) -> None:
    answers = ["n", "n", "n", "y", "支払い障害", "Payment outage", "payment-outage", "api",
               "", "", "", ""]
    text, err = asked(site, monkeypatch, capsys, answers)
    assert "File name, the page's permanent URL (a-z, 0-9, '-') [zhi-fan-i-zhang-hai]: " in err
    assert "'Payment outage' is not a file name for the URL" in err
    assert "title: 支払い障害\n" in text
    written = [p.name for p in (site / "content/incidents").iterdir() if "payment" in p.name]
    assert len(written) == 1 and written[0].endswith("-payment-outage.md")


def test_a_notice_is_asked_until_when_optional(site: Path, monkeypatch, capsys) -> None:
    notice = ["n", "y",  # planned? no. an announcement? yes
              "API v1 retirement", "",  # title; status: the default
              "2000-01-01T00:00:00Z",  # before it starts: asked again
              "2999-06-30T22:00:00Z",
              "v1 goes away in June."]
    text, err = asked(site, monkeypatch, capsys, notice)
    assert err.count("Show it until? (Enter = no end, close it with a 'resolved' update; "
                     "18:00 = today at 18:00 UTC; or ISO 8601): ") == 2
    assert "2000-01-01T00:00:00Z is not after the notice starts" in err
    assert "type: notice\n" in text and "until: 2999-06-30T22:00:00Z\n" in text
    text, _ = asked(site, monkeypatch, capsys, ["n", "y", "Office move", "", "", "We move."])
    assert "type: notice\n" in text and "until" not in text
    # An incident is never asked.
    _, err = asked(site, monkeypatch, capsys, ["n", "n", "n", "y", "Slow", "", "", "", "x"])
    assert "Show it until?" not in err
