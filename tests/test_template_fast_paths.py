"""The shortcuts ThemeEnvironment takes past Jinja's sandbox (issue 17) give a theme exactly
what the sandbox would, and nothing more: each case goes through the real command line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from test_hostile_theme import both_fail, built_404, run, use_theme

from generator.site.build import prepare
from generator.theme.templates import (
    MAX_PAGE,
    BoundedCodeGenerator,
    ThemeEnvironment,
    bounded_join,
    environment_key,
)
from generator.theme.themes import ThemeError

# Attribute reads the sandbox would refuse; the shortcut for a loop's counters and the
# translator's plain facts must refuse them too.
PRIVATE_READS = {
    "translator's own cache": "{{ t._plain }}",
    "translator's class": "{{ t.__class__ }}",
    "loop's iterator": "{% for i in [1] %}{{ loop._iterator }}{% endfor %}",
    "loop's class": "{% for i in [1] %}{{ loop.__class__ }}{% endfor %}",
    "a view's maker": "{{ clock_format.of(t) }}",  # views hold data, no methods
    # What the immutable sandbox refuses of other objects is refused inline too.
    "a list's append": "{{ [1].append(2) }}",
    "a format string's fields": "{{ '{0.__class__}'.format(1) }}",
}


@pytest.mark.parametrize("payload", PRIVATE_READS.values(), ids=PRIVATE_READS.keys())
def test_shortcut_attributes_keep_the_sandbox(site, capsys, payload):
    templates = use_theme(site, "harbour") / "templates"
    templates.mkdir()
    (templates / "404.html").write_text("<p>line one</p>\n" + payload + "\n")
    both_fail(site, capsys, "themes/harbour/templates/404.html:2: ")


def test_shortcut_attributes_read_what_they_name(site, capsys):
    assert built_404(site, capsys,
        "{{ t.dir }} {{ t.language }} {% for i in 'abc' %}{{ loop.index }}{{ loop.index0 }}"
        "{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}"
        "{{ loop.length }}{{ loop.depth }}{{ loop.depth0 }};{% endfor %}\n"
        "{{ clock_format.datetime }} {{ clock_format.months }} [{{ clock_format.am_pm }}]\n"
    ) == (
        "ltr en 1032True"  # index, index0, revindex, revindex0, first
        "False310;"  # last, length, depth, depth0
        "2121FalseFalse310;"
        "3210FalseTrue310;"  # the newline after endfor goes (trim_blocks)
        "{day} {month} {year}, {H}:{M} {zone} Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
        " []\n")


def test_output_is_escaped_as_markupsafe_escapes_it(site, capsys):
    """`{{ value }}` goes through ThemeEnvironment.escape_output, which passes on text with
    nothing to escape as it is: each character markupsafe escapes is still escaped, alone
    and among others, in plain text, numbers and objects; Markup and `autoescape false`
    are left alone."""
    assert built_404(site, capsys,
        # Loop variables, not constants: Jinja escapes constants when it compiles.
        "{% macro m(x) %}<i>{{ x }}</i>{% endmacro %}"
        "{% for v in ['&', '<', '>', \"'\", '\"', 'a <b> & \"c\" \\'d\\'', 'plain', 42, none,"
        " ['<x>'], m('<'), '*x*'|md] %}{{ v }}|{% endfor %}"
        "{% for v in ['<raw>'] %}{% autoescape false %}{{ v }}{% endautoescape %}|"
        "{% set s %}{{ v }}{% endset %}{{ s }}{% endfor %}\n"
    ) == (
        "&amp;|&lt;|&gt;|&#39;|&#34;|a &lt;b&gt; &amp; &#34;c&#34; &#39;d&#39;|"
        "plain|42|None|[&#39;&lt;x&gt;&#39;]|<i>&lt;</i>|<p><em>x</em></p>|"
        "<raw>|&lt;raw&gt;")  # the newline after endfor goes (trim_blocks)


def test_cache_key_follows_the_code_generator():
    """Templates compiled by an older code generator (say, calling escape where this one
    calls escape_output) are never loaded by this one."""
    class Older(BoundedCodeGenerator):
        revision = BoundedCodeGenerator.revision - 1

    Older.__qualname__ = BoundedCodeGenerator.__qualname__  # only the revision differs
    older = ThemeEnvironment(autoescape=True)
    older.code_generator_class = Older
    assert environment_key(ThemeEnvironment(autoescape=True)) != environment_key(older)


@pytest.mark.parametrize("constant", ["MAX_SIZE", "RUN_VALUES"])
def test_cache_key_follows_the_bounds_written_into_the_code(monkeypatch, constant):
    """The compiled code holds MAX_SIZE (calls' results) and RUN_VALUES (output runs) as
    numbers: templates compiled with other bounds are never loaded."""
    from generator.theme import templates

    before = environment_key(ThemeEnvironment(autoescape=True))
    monkeypatch.setattr(templates, constant, getattr(templates, constant) + 1)
    assert environment_key(ThemeEnvironment(autoescape=True)) != before


# --- compiled shortcuts: attribute reads, calls and escaping written inline --------------

def test_inline_attribute_reads_give_what_the_sandbox_gives(site, capsys):
    """`x.name` is read inline for the fields and properties of Heliograph's views and
    through the sandbox otherwise: a dict's key, a missing name (undefined, not an
    error), a name the view does not have as data (its class's method)."""
    assert built_404(site, capsys,
        "{{ site.title }}|{{ site.languages }}|{{ site.nope is defined }}|"
        "{{ {'a': 1}.a }}|{{ {'a': 1}.b is defined }}|{{ clock_format.of is defined }}|"
        "{% for c in components.values() %}{{ c.name }},{% endfor %}|"
        "{{ site.title ~ '!' }}|{{ site.title|length }}|{{ (site.title == 'Example Status') }}\n"
    ) == ("Example Status|(&#39;en&#39;,)|False|1|False|False|"
          "Website,API,Sign-in,Documentation,|Example Status!|14|True\n")


def test_inline_calls_give_what_the_sandbox_gives(site, capsys):
    """t(...) and the helpers are called inline with positional arguments: nested, in
    expressions, on anything but an int; what is not one of them (a macro, Jinja's own
    globals, a method of a string) is called through the sandbox."""
    assert built_404(site, capsys,
        "{% macro m(x) %}[{{ x }}]{% endmacro %}"
        "{{ t('history') }}|{{ t(t('history')) }}|{{ t('history') == 'History' }}|"
        "{{ not t('history') }}|{{ t('history') ~ t('status_page') }}|{{ t('no.such.key') }}|"
        "{{ t('history')|upper }}|{{ m(t('history')) }}|{{ range(3)|list }}|"
        "{{ 'a-b'.split('-') }}|{{ asset('style.css') == asset(*['style.css']) }}|"
        "{{ incident_dir('x') }}\n"
    ) == ("History|History|True|False|HistoryStatus|no.such.key|HISTORY|[History]|[0, 1, 2]|"
          "[&#39;a&#39;, &#39;b&#39;]|True|incidents/x/\n")


@pytest.mark.parametrize("payload", [
    "{{ t(10 ** 7) }}",  # an int argument goes through the sandbox's checks
    "{{ incident_dir(10 ** 7) }}",
    "{{ t('x' ~ range(10)|join(''), 10 ** 7) }}",
], ids=["translator", "helper", "second argument"])
def test_inline_calls_keep_the_argument_bound(site, capsys, payload):
    templates = use_theme(site, "harbour") / "templates"
    templates.mkdir()
    (templates / "404.html").write_text("<p>line one</p>\n" + payload + "\n")
    both_fail(site, capsys, "themes/harbour/templates/404.html:2: ",
              "a number over 1,000,000 is not allowed as an argument")


def test_inline_calls_keep_the_result_bound(site, capsys):
    """What t(...) returns is measured, as the sandbox measures a call's result: here a
    section of the catalogue, whose text is longer than a template may build."""
    theme = use_theme(site, "harbour")
    (theme / "i18n").mkdir()
    entries = "".join(f"  k{n:05}: v\n" for n in range(80_000))  # 960,000 bytes
    (theme / "i18n" / "en.yaml").write_text("huge:\n" + entries)
    (theme / "templates").mkdir()
    (theme / "templates" / "404.html").write_text("<p>line one</p>\n{{ t('huge') }}\n")
    both_fail(site, capsys, "themes/harbour/templates/404.html:2: ",
              "a result longer than 1,000,000 is not allowed")


def test_renderer_remembers_iso_text_by_zone(site):
    """Equal instants in two zones are equal keys with different text: only UTC times are
    remembered, so each keeps its own."""
    renderer = prepare(site, "2026-11-27T01:00:00Z")[2]
    utc = datetime(2026, 5, 11, 14, 2, tzinfo=UTC)
    plus_two = utc.astimezone(timezone(timedelta(hours=2)))
    assert renderer.iso(utc) == "2026-05-11T14:02:00Z"
    assert renderer.iso(plus_two) == "2026-05-11T16:02:00+02:00"
    assert renderer.iso(utc) == "2026-05-11T14:02:00Z"


def test_a_run_of_output_is_yielded_a_few_values_at_a_time():
    """Text and values between two tags come as one piece, of at most RUN_VALUES (8)
    values: the page's size is checked piece by piece, so one line repeating a
    large value cannot build a huge piece before it is measured."""
    env = ThemeEnvironment(autoescape=True)
    pieces = list(env.from_string("<p>" + "{{ x }}," * 20 + "</p>").generate(x="ab"))
    assert pieces == ["<p>" + "ab," * 7 + "ab", ",ab" * 8, ",ab" * 4 + ",</p>"]


def test_a_catalogue_past_its_size_limit_is_refused(site, capsys):
    """A catalogue's strings reach pages as they are (`t.catalogue`'s entries), and a run
    of output copies up to eight values: they are bounded by the file's size, like an
    incident's text."""
    theme = use_theme(site, "harbour")
    (theme / "i18n").mkdir()
    (theme / "i18n" / "en.yaml").write_text("huge: '" + "x" * 999_991 + "'\n")
    assert run("check", site, capsys)[0] == 0  # 1,000,000 bytes: at the limit
    (theme / "i18n" / "en.yaml").write_text("huge: '" + "x" * 999_992 + "'\n")
    both_fail(site, capsys, "themes/harbour/i18n/en.yaml: ",
              "the translations file is larger than the limit of 1,000,000 bytes")


def test_the_page_is_measured_piece_by_piece():
    """Each piece of a page is a run of up to RUN_VALUES values, a copy of them: the page
    is refused as soon as its pieces add up past MAX_PAGE, not a batch of pieces later
    (32 runs of 8 values of a few megabytes each would be gigabytes)."""
    drawn = []
    big = "x" * (MAX_PAGE // 2 + 1)

    def pieces():
        for i in range(40):
            drawn.append(i)
            yield big

    with pytest.raises(ThemeError, match="a page longer than 50,000,000 characters"):
        bounded_join(pieces(), "404.html")
    assert len(drawn) == 2


def test_deeply_nested_expressions_compile_as_jinja_compiles_them(site, capsys):
    """The inline fast paths nest each attribute read three levels deeper in the Python
    they write than Jinja does: past what Python's parser takes (200 levels, some 66
    reads), a template is compiled without them, as Jinja compiles it, rather than
    failing with a SyntaxError (on a line of the Python, not of the template)."""
    assert built_404(site, capsys,
        "<p>{{ clock_format.datetime" + ".lower()" * 70 + " }}</p>\n"
    ) == "<p>{day} {month} {year}, {h}:{m} {zone}</p>\n"


def test_the_fast_paths_change_no_byte_of_the_site(monkeypatch):
    """The example site, with the inline fast paths and without them (the code Jinja's
    sandbox alone writes): the same files, byte for byte."""
    from building import make_site
    from sitefixtures import NOW, REPO

    monkeypatch.setenv("HELIOGRAPH_CACHE_DIR", "off")  # each compiles its own code
    fast = make_site(REPO, NOW).files
    monkeypatch.setattr(ThemeEnvironment, "inline", False)
    plain = make_site(REPO, NOW).files
    assert sorted(fast) == sorted(plain)
    assert [p for p in fast if fast[p] != plain[p]] == []


def test_a_translation_with_too_many_placeholders_is_refused(site, capsys):
    """Each placeholder copies its value: 70,000 '{month}' and a long month name would be
    gigabytes from one date. At most 20 placeholders a text."""
    theme = use_theme(site, "harbour")
    (theme / "i18n").mkdir()
    (theme / "i18n" / "en.yaml").write_text(
        "datetime_format: '" + "{month}" * 20 + "'\n")
    assert run("check", site, capsys)[0] == 0  # 20: at the limit
    (theme / "i18n" / "en.yaml").write_text(
        "datetime_format: '" + "{month}" * 21 + "'\n")
    both_fail(site, capsys, "themes/harbour/i18n/en.yaml: ",
              "'datetime_format': more than 20 placeholders")
