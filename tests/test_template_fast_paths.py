"""The shortcuts ThemeEnvironment takes past Jinja's sandbox (issue 17) give a theme exactly
what the sandbox would, and nothing more: each case goes through the real command line."""

from __future__ import annotations

import pytest
from test_hostile_theme import both_fail, built_404, use_theme

from generator.theme.templates import BoundedCodeGenerator, ThemeEnvironment, environment_key

# Attribute reads the sandbox would refuse; the shortcut for a loop's counters and the
# translator's plain facts must refuse them too.
PRIVATE_READS = {
    "translator's own cache": "{{ t._plain }}",
    "translator's class": "{{ t.__class__ }}",
    "loop's iterator": "{% for i in [1] %}{{ loop._iterator }}{% endfor %}",
    "loop's class": "{% for i in [1] %}{{ loop.__class__ }}{% endfor %}",
    "a view's maker": "{{ clock_format.of(t) }}",  # views hold data, no methods
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
