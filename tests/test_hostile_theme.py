"""A theme, logo or translation from a stranger's pull request cannot read outside the
repository, run code, or put active content on the site's origin (issue 10: 1, 2, 3, 15).

Every case goes through the real command line, for a site override of the default theme
(`themes/default/`) and for a theme of its own (`themes/harbour/`)."""

from __future__ import annotations

import os
from pathlib import Path

import jinja2
import pytest

from generator.cli import main
from generator.theme.templates import ThemeEnvironment, cache_dir, environment_key, template_cache
from generator.theme.themes import default_theme_dir

NOW = "2026-11-27T01:00:00Z"
THEMES = ("default", "harbour")
SVG_NS = 'xmlns="http://www.w3.org/2000/svg"'
SECRET = "HELIOGRAPH_TEST_SECRET_4711"


def use_theme(site: Path, name: str) -> Path:
    """The site's own theme folder for `name` (site.yaml points at it)."""
    if name != "default":
        config = site / "content" / "site.yaml"
        config.write_text(config.read_text() + f"theme: {name}\n")
    folder = site / "themes" / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def run(command: str, site: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    args = [command, "--source", str(site), "--now", NOW]
    if command == "build":
        args += ["--output", str(site / "public")]
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def built_404(site: Path, capsys: pytest.CaptureFixture[str], template: str) -> str:
    """The 404 page a theme of the site's own makes from `template`, built through the
    command line."""
    templates = use_theme(site, "harbour") / "templates"
    templates.mkdir()
    (templates / "404.html").write_text(template)
    assert run("build", site, capsys)[0] == 0
    return (site / "public" / "404.html").read_text()


def both_fail(site: Path, capsys: pytest.CaptureFixture[str], *expected: str) -> None:
    """check and build exit 1 naming `expected`; nothing is published."""
    for command in ("check", "build"):
        code, output = run(command, site, capsys)
        assert code == 1, (command, output)
        for text in expected:
            assert text in output, (command, text, output)
        assert "Traceback" not in output and "internal error" not in output
    assert not (site / "public").exists()


def refused_on_line_two(site: Path, capsys: pytest.CaptureFixture[str], line: str,
                        message: str) -> None:
    """A theme's 404.html with `line` as its second line fails check and build there."""
    templates = use_theme(site, "harbour") / "templates"
    templates.mkdir()
    (templates / "404.html").write_text("<p>line one</p>\n" + line + "\n")
    both_fail(site, capsys, "themes/harbour/templates/404.html:2: ", message)


# --- 1. nothing outside the repository is read ------------------------------------------

@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("where", ["static/secret.txt", "templates/404.html", "i18n/en.yaml",
                                   "static/fonts"])
def test_symlink_in_a_theme_is_refused(site, capsys, theme, where):
    folder = use_theme(site, theme)
    link = folder / where
    link.parent.mkdir(parents=True, exist_ok=True)
    outside = site.parent / "outside"
    outside.mkdir()
    (outside / "passwd").write_text(SECRET)
    link.symlink_to(outside if where == "static/fonts" else outside / "passwd")
    both_fail(site, capsys, f"themes/{theme}/{where}", "symbolic link")


@pytest.mark.parametrize("theme", THEMES)
def test_symlink_that_stays_inside_the_repository_is_refused_too(site, capsys, theme):
    # .git/config of a CI checkout holds its token: inside the folder, still secret.
    (site / ".git").mkdir()
    (site / ".git" / "config").write_text(SECRET)
    static = use_theme(site, theme) / "static"
    static.mkdir()
    (static / "config.txt").symlink_to(site / ".git" / "config")
    both_fail(site, capsys, f"themes/{theme}/static/config.txt", "symbolic link")


def test_theme_folder_that_is_a_symlink_is_refused(site, capsys):
    elsewhere = site.parent / "elsewhere"
    (elsewhere / "static").mkdir(parents=True)
    (site / "themes").mkdir()
    (site / "themes" / "harbour").symlink_to(elsewhere)
    config = site / "content" / "site.yaml"
    config.write_text(config.read_text() + "theme: harbour\n")
    both_fail(site, capsys, "themes/harbour", "symbolic link")


@pytest.mark.parametrize("value", ["/opt/other-theme", "../../x", "themes/harbour", "..",
                                   str(default_theme_dir())])
def test_theme_is_a_name_never_a_path(site, capsys, value):
    (site / "themes" / "harbour").mkdir(parents=True)
    target = Path(value) if value.startswith("/") else site / value
    config = site / "content" / "site.yaml"
    config.write_text(config.read_text() + f"theme: '{value}'\n")
    both_fail(site, capsys, "content/site.yaml:11", f"theme '{value}' is not a theme name")
    assert target != site / "themes"  # the value names something that may well exist


def test_logo_through_a_symlink_is_refused(site, capsys):
    (site / ".git").mkdir()
    (site / ".git" / "config").write_text(SECRET)
    (site / "art").mkdir()
    (site / "art" / "logo.png").symlink_to(site / ".git" / "config")
    config = site / "content" / "site.yaml"
    config.write_text(config.read_text() + "logo: art/logo.png\n")
    both_fail(site, capsys, "art/logo.png", "symbolic link")


def test_installed_theme_package_from_an_entry_point(site, capsys, tmp_path, monkeypatch):
    packages = tmp_path / "packages"
    templates = packages / "harbour_theme" / "templates"
    templates.mkdir(parents=True)
    (packages / "harbour_theme" / "__init__.py").write_text("")
    (templates / "404.html").write_text("installed harbour 404 {{ site.title }}\n")
    info = packages / "harbour_theme-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: harbour-theme\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[heliograph.themes]\nharbour = harbour_theme\n")
    monkeypatch.syspath_prepend(str(packages))
    config = site / "content" / "site.yaml"
    config.write_text(config.read_text() + "theme: harbour\n")
    assert run("check", site, capsys)[0] == 0
    assert run("build", site, capsys)[0] == 0
    assert (site / "public" / "404.html").read_text() == \
        "installed harbour 404 Example Status\n"
    # A site folder of the same name overrides the installed theme file by file.
    override = site / "themes" / "harbour" / "templates"
    override.mkdir(parents=True)
    (override / "404.html").write_text("site override\n")
    assert run("build", site, capsys)[0] == 0
    assert (site / "public" / "404.html").read_text() == "site override\n"


# --- 2. templates are sandboxed -----------------------------------------------------------

MARK = "heliograph-pwned"

HOSTILE_TEMPLATES = {
    "globals of cycler": "{{ cycler.__init__.__globals__.os.system('touch " + MARK + "') }}",
    "globals of self": "{{ self.__init__.__globals__.os.system('touch " + MARK + "') }}",
    "subclasses": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "lipsum": "{{ lipsum.__globals__.os.system('touch " + MARK + "') }}",
    "config": "{{ config.items() }}",
    "request": "{{ request.environ }}",
    "mutating": "{{ site.__setattr__('title', 'x') }}",
    "string times": "{{ 'x' * 10**10 }}",
    "power": "{{ 10**(10**10) }}",
    "percent width": "{{ '%0999999999d' % 1 }}",
    "format width": "{{ '{:>999999999}'.format(1) }}",
    "center method": "{{ 'x'.center(10**9) }}",
    "center filter": "{{ 'x'|center(10**9) }}",
    "format filter": "{{ '%0999999999d'|format(1) }}",
    "range": "{{ range(10**12)|list }}",
    "recursion": "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
    "include outside": "{% include '../../../../../../etc/passwd' %}",
    "missing asset": "{{ asset('nope.css') }}",
    "undefined": "{{ nothing_here }}",
    "division": "{{ 1 / 0 }}",
    "syntax": "{% if %}",
}


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("payload", HOSTILE_TEMPLATES.values(), ids=HOSTILE_TEMPLATES.keys())
def test_hostile_template_is_exit_1_with_template_and_line(site, capsys, monkeypatch, theme,
                                                           payload):
    monkeypatch.chdir(site)
    templates = use_theme(site, theme) / "templates"
    templates.mkdir()
    (templates / "404.html").write_text("<p>line one</p>\n" + payload + "\n")
    for command in ("check", "build"):  # check renders a theme's own templates too
        code, output = run(command, site, capsys)
        assert code == 1, (command, output)
        assert f"themes/{theme}/templates/404.html:2: " in output, (command, output)
        assert "Traceback" not in output and "internal error" not in output
    assert not (site / MARK).exists()
    assert not (site / "public").exists()


def test_templates_may_still_do_what_a_theme_needs(site, capsys):
    assert built_404(site, capsys,
        "{% set ns = namespace(n=0) %}{% for i in range(3) %}{% set ns.n = ns.n + i %}"
        "{% endfor %}{{ ns.n }} {{ 'ab' * 2 }} {{ '%03d' % 7 }} {{ '{:>4}'.format('x') }} "
        "{{ site.title|upper }} {{ asset('style.css')[:13] }} {{ t('not_found_title') }} "
        "{{ [3, 1, 2]|sort|join(',') }} {{ 2**10 }} {{ '<b>' }}\n") == \
        "3 abab 007    x EXAMPLE STATUS assets/style. Page not found 1,2,3 1024 &lt;b&gt;\n"


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("text", ["'{v.__class__.__init__.__globals__}'", "'{v[0]}'",
                                  "'{v:>999999999}'"])
def test_translation_placeholders_are_plain_names(site, capsys, theme, text):
    i18n = use_theme(site, theme) / "i18n"
    i18n.mkdir()
    (i18n / "en.yaml").write_text(f"not_found_title: {text}\n")
    both_fail(site, capsys, f"themes/{theme}/i18n/en.yaml", "placeholder")


# --- 3. SVG files are inert ---------------------------------------------------------------

HOSTILE_SVGS = {
    "prefixed script": f'<svg {SVG_NS} xmlns:s="http://www.w3.org/2000/svg">\n'
                       "<s:script>alert(1)</s:script></svg>",
    "entity-encoded javascript link": f'<svg {SVG_NS}>\n<a href="&#106;avascript:alert(1)">'
                                      "<rect width='1' height='1'/></a></svg>",
    "javascript in use": f'<svg {SVG_NS}>\n<use href="&#106;avascript:alert(1)"/></svg>',
    "external image": f'<svg {SVG_NS}>\n<image href="https://evil.example/x.png"/></svg>',
    "xlink external use": f'<svg {SVG_NS} xmlns:l="http://www.w3.org/1999/xlink">\n'
                          '<use l:href="https://evil.example/s.svg#a"/></svg>',
    "set href": f'<svg {SVG_NS}>\n<set attributeName="href" to="javascript:alert(1)"/></svg>',
    "animate xlink href": f'<svg {SVG_NS}>\n<animate attributeName="xlink:href" '
                          'values="javascript:alert(1)"/></svg>',
    "event handler": f'<svg {SVG_NS}>\n<rect onclick="alert(1)"/></svg>',
    "foreignObject": f'<svg {SVG_NS}>\n<foreignObject><p>hi</p></foreignObject></svg>',
    "xhtml script": f'<svg {SVG_NS}>\n<h:script xmlns:h="http://www.w3.org/1999/xhtml">'
                    "alert(1)</h:script></svg>",
    "style url": f'<svg {SVG_NS}>\n<style>rect {{ fill: url(https://evil.example/) }}</style>'
                 "</svg>",
    "style escape": f'<svg {SVG_NS}>\n<rect style="fill: u\\72 l(https://evil.example/)"/>'
                    "</svg>",
    "style import": f'<svg {SVG_NS}>\n<style>@import "https://evil.example/x.css";</style>'
                    "</svg>",
    "fill url": f'<svg {SVG_NS}>\n<rect fill="url(https://evil.example/p.svg#g)"/></svg>',
    "unclosed style url": f'<svg {SVG_NS}>\n<style>svg{{background:url(http://evil.example/t'
                          "</style></svg>",
    "unclosed fill url": f'<svg {SVG_NS}>\n<rect fill="url(https://evil.example/p.svg#g"/></svg>',
    "unclosed style attribute url": f'<svg {SVG_NS}>\n<rect style="fill:url(\'http://e.example/'
                                    "\"/></svg>",
    "entity bomb": '<!DOCTYPE svg [<!ENTITY a "aaaaaaaa">]>\n<svg ' + SVG_NS + ">&a;</svg>",
    "stylesheet instruction": '<?xml-stylesheet href="https://evil.example/x.xsl"?>\n'
                              f"<svg {SVG_NS}/>",
    "no namespace": "<svg>\n<script>alert(1)</script></svg>",
    "not xml": f"<svg {SVG_NS}>\n<rect></svg>",
}


@pytest.mark.parametrize("svg", HOSTILE_SVGS.values(), ids=HOSTILE_SVGS.keys())
def test_active_svg_logo_is_refused_with_its_line(site, capsys, svg):
    (site / "art").mkdir()
    (site / "art" / "logo.svg").write_text(svg)
    config = site / "content" / "site.yaml"
    config.write_text(config.read_text() + "logo: art/logo.svg\n")
    line = 1 if svg.startswith(("<!DOCTYPE", "<?xml", "<svg>")) else 2
    both_fail(site, capsys, f"art/logo.svg:{line}", "not a plain SVG")


@pytest.mark.parametrize("theme", THEMES)
def test_active_svg_in_a_site_theme_is_refused(site, capsys, theme):
    static = use_theme(site, theme) / "static"
    static.mkdir()
    (static / "icon.svg").write_text(HOSTILE_SVGS["prefixed script"])
    both_fail(site, capsys, f"themes/{theme}/static/icon.svg:2", "not allowed")


def test_plain_svg_from_an_editor_is_published_unchanged(site, capsys):
    svg = (f'<?xml version="1.0" encoding="UTF-8"?>\n<svg {SVG_NS} '
           'xmlns:xlink="http://www.w3.org/1999/xlink" '
           'xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" '
           'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" viewBox="0 0 10 10">\n'
           "<metadata><rdf:RDF/></metadata>\n"
           "<style>.a { fill: url(#g); stroke: rgb(0, 0, 0) }</style>\n"
           '<defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient>'
           '<path id="p" d="M0 0h5"/></defs>\n'
           '<g inkscape:label="Layer 1" transform="translate(1, 1)">'
           '<rect class="a" width="8" height="8" fill="url(#g)"/>'
           '<use xlink:href="#p"/><animate attributeName="opacity" values="0;1" dur="1s"/>'
           "</g></svg>\n")
    (site / "art").mkdir()
    (site / "art" / "logo.svg").write_text(svg)
    config = site / "content" / "site.yaml"
    config.write_text(config.read_text() + "logo: art/logo.svg\n")
    assert run("check", site, capsys)[0] == 0
    assert run("build", site, capsys)[0] == 0
    [published] = (site / "public" / "assets").glob("logo.*.svg")
    assert published.read_text() == svg


# --- 15. the compiled-template cache -------------------------------------------------------

@pytest.mark.parametrize("stale", ["old layout", "other environment"])
def test_template_compiled_elsewhere_is_never_run(site, capsys, monkeypatch, tmp_path, stale):
    """A template compiled without autoescape (or the sandbox) must not be reused."""
    cache = tmp_path / "cache"
    monkeypatch.delenv("HELIOGRAPH_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    templates = use_theme(site, "harbour") / "templates"
    templates.mkdir()
    page = templates / "404.html"
    page.write_text("{{ '<b>' }}\n")
    loader = jinja2.FileSystemLoader(str(templates))
    if stale == "old layout":  # what Heliograph 0.1.0 wrote: keyed by file and source only
        folder = cache / "heliograph" / "templates"
        folder.mkdir(parents=True)
        old = jinja2.Environment(loader=loader, autoescape=False,
                                 bytecode_cache=jinja2.FileSystemBytecodeCache(str(folder)))
    else:
        old = jinja2.Environment(loader=loader, autoescape=False)
        old.bytecode_cache = template_cache(old)
    # The loader names the file as Heliograph's does, so the entry has the same key.
    old.loader = jinja2.FunctionLoader(lambda name: (page.read_text(), str(page), lambda: True))
    assert old.get_template("404.html").render() == "<b>"  # unescaped
    assert sum(1 for _ in (cache / "heliograph" / "templates").rglob("*.cache")) == 1
    assert run("build", site, capsys)[0] == 0
    assert (site / "public" / "404.html").read_text() == "&lt;b&gt;\n"
    # Only the current environment's folder is left.
    assert [p.name for p in (cache / "heliograph" / "templates").iterdir()] == \
        [environment_key(ThemeEnvironment(autoescape=True, undefined=jinja2.StrictUndefined,
                                          trim_blocks=True, lstrip_blocks=True,
                                          keep_trailing_newline=True, optimized=False))]


def test_environment_key_follows_every_compile_option():
    base = {"autoescape": True, "trim_blocks": True}
    keys = {environment_key(ThemeEnvironment(**base)),
            environment_key(ThemeEnvironment(**base | {"autoescape": False})),
            environment_key(ThemeEnvironment(**base | {"trim_blocks": False})),
            environment_key(jinja2.Environment(**base))}
    assert len(keys) == 4


@pytest.mark.parametrize(("value", "expected"), [("off", None), ("", None), ("OFF", None)])
def test_cache_can_be_switched_off(monkeypatch, value, expected):
    monkeypatch.setenv("HELIOGRAPH_CACHE_DIR", value)
    assert cache_dir() is expected
    assert template_cache(ThemeEnvironment()) is None


def test_cache_folder_is_movable(site, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("HELIOGRAPH_CACHE_DIR", str(tmp_path / "elsewhere"))
    assert run("build", site, capsys)[0] == 0
    [folder] = (tmp_path / "elsewhere" / "templates").iterdir()
    assert {p.name.startswith("__jinja2_") for p in folder.iterdir()} == {True}
    assert len(list(folder.iterdir())) == len(os.listdir(default_theme_dir() / "templates"))


def test_cache_others_can_write_to_is_not_used(monkeypatch, tmp_path):
    shared = tmp_path / "shared"
    (shared / "templates").mkdir(parents=True)
    (shared / "templates").chmod(0o777)
    monkeypatch.setenv("HELIOGRAPH_CACHE_DIR", str(shared))
    assert template_cache(ThemeEnvironment()) is None


def test_build_errors_cannot_forge_workflow_commands(site, capsys):
    """A template error quotes the template's text; build prints it escaped, on one line."""
    templates = use_theme(site, "harbour") / "templates"
    templates.mkdir()
    (templates / "404.html").write_text(
        '{{ asset("x\\n::error file=README.md,line=1::FORGED") }}\n')
    code, output = run("build", site, capsys)
    assert code == 1
    assert not any(line.startswith("::") for line in output.splitlines()), output
    assert "x\\n::error file=README.md" in output


GROWING_TEMPLATES = {
    "replace chain": "{{ ('x'*1000).replace('x','x'*1000).replace('x','x'*1000)|length }}",
    "replace filter": "{{ ('x'*1000)|replace('x','x'*1000)|replace('x','x'*1000)|length }}",
    "expandtabs": "{{ ('\\t'*1000).expandtabs(999999)|length }}",
    "indent": "{{ ('x\\n'*1000)|indent(999999)|length }}",
    "join filter": "{{ ('x'*1000)|list|join('y'*1000000)|length }}",
    "join method": "{{ ('y'*1000000).join(('x'*1000)|list)|length }}",
    "doubling with ~": "{% set ns = namespace(s='x') %}{% for i in range(31) %}"
                       "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}",
    "doubling with +": "{% set ns = namespace(s='x') %}{% for i in range(31) %}"
                       "{% set ns.s = ns.s + ns.s %}{% endfor %}{{ ns.s|length }}",
    "macro of a macro": "{% macro m(s) %}{% for i in range(1001) %}{{ s }}{% endfor %}"
                        "{% endmacro %}{{ m(m(m('x')))|length }}",
}


@pytest.mark.parametrize("payload", GROWING_TEMPLATES.values(), ids=GROWING_TEMPLATES.keys())
def test_templates_cannot_grow_strings_past_the_bound(site, capsys, payload):
    """A few bytes of template must not make gigabytes: refused by the sandbox's size
    bound (not by running out of memory), in check and build."""
    refused_on_line_two(site, capsys, payload, "a result longer than 1,000,000 is not allowed")


@pytest.mark.parametrize(("text", "message"), [
    ("date_format: {a: b}\n", "'date_format' must be text, like the default theme's"),
    ("uptime_days:\n  other: \"{count} {percent:c}\"\n", "'uptime_days.other' uses a "
     "placeholder the pages do not give it"),
    ("uptime_days:\n  other: \"{count} {nothing}\"\n", "'uptime_days.other' uses a placeholder"),
    ("uptime_days:\n  other: \"{count!r}\"\n",
     "'uptime_days.other': placeholder '{count!r}' is not allowed"),
    ("uptime_days:\n  many: \"{zzz} {count}\"\n",  # a plural form English lacks
     "'uptime_days.many' uses a placeholder the pages do not give it (allowed: {count}"),
    ("date_format: null\n", "'date_format' must be text, like the default theme's"),
    ("date_format: 5\n", "'date_format' must be text, like the default theme's"),
])
def test_a_translation_must_fit_what_it_replaces(site, capsys, text, message):
    """A catalogue that would make the pages fail to render is refused by check and build
    alike, naming the file."""
    i18n = use_theme(site, "harbour") / "i18n"
    i18n.mkdir()
    (i18n / "en.yaml").write_text(text)
    both_fail(site, capsys, "themes/harbour/i18n/en.yaml", message)
    assert "hint: a translation keeps the kind and the placeholders of what it replaces" in \
        run("check", site, capsys)[1]


def test_a_page_cannot_grow_past_its_bound_by_repetition(site, capsys):
    """Each expression stays within MAX_SIZE, but a loop may print one again and again:
    the page as a whole is bounded too (MAX_PAGE), and nothing is published."""
    templates = use_theme(site, "harbour") / "templates"
    templates.mkdir()
    (templates / "404.html").write_text(
        "<p>line one</p>\n"
        "{% set s = 'x' * 1000000 %}{% for i in range(60) %}{{ s }}{% endfor %}\n")
    both_fail(site, capsys, "themes/harbour/templates/404.html",
              "a page longer than 50,000,000 characters")


# A list of two references to a string of a million characters: each value is within the
# bounds, but its text is two million characters, and two thousand references would be
# two gigabytes. Every way a template writes a value as text counts it first.
TEXT_OF_LARGE_VALUES = {
    "output": "{{ big }}",
    "output without escaping": "{% autoescape false %}{{ big }}{% endautoescape %}",
    "concatenation": "{{ 'a' ~ big }}",
    "string filter": "{{ big|string }}",
    "pprint": "{{ big|pprint }}",
    "join of lists": "{{ [big, big]|join(',') }}",
    "format filter": "{{ '%s'|format(big) }}",
    "percent": "{{ '%s' % (big,) }}",
    "str.format": "{{ '{}'.format(big) }}",
    "namespace": "{% set ns = namespace(a=big) %}{{ ns }}",
    "helper": "{{ incident_dir(big) }}",
    "translation's value": "{{ t('history', name=big) }}",
    "tojson": "{{ big|tojson }}",
}


@pytest.mark.parametrize("payload", TEXT_OF_LARGE_VALUES.values(),
                         ids=TEXT_OF_LARGE_VALUES.keys())
def test_text_of_a_large_value_is_refused(site, capsys, payload):
    refused_on_line_two(site, capsys, "{% set big = ['x' * 1000000] * 2 %}" + payload,
                        "a value whose text is longer than 1,000,000 characters is not allowed")


def test_values_of_a_large_list_are_not_text(site, capsys):
    """Filters that give values rather than text take a list whatever its text's length."""
    assert built_404(site, capsys,
        "{% set big = ['x' * 1000000] * 2 %}{{ big|length }} {{ (big|first)|length }} "
        "{{ big|list|count }} {{ big|unique|list|length }}\n") == "2 1000000 2 1\n"


# Text a template gathers before it joins it: a {% set %} block, a macro, a {% filter %}
# block or a caller() body printing a long value in a loop. Two million characters here
# (a million repeated 100,000 times would be 100 GB), measured before they are joined.
GATHERED_TEXT = {
    "set block": "{% set x %}{% for i in range(200) %}{{ s }}{% endfor %}{% endset %}",
    "macro": "{% macro m() %}{% for i in range(200) %}{{ s }}{% endfor %}{% endmacro %}"
             "{{ m() }}",
    "filter block": "{% filter upper %}{% for i in range(200) %}{{ s }}{% endfor %}"
                    "{% endfilter %}",
    "call block": "{% macro m() %}{{ caller() }}{% endmacro %}{% call m() %}"
                  "{% for i in range(200) %}{{ s }}{% endfor %}{% endcall %}",
}


@pytest.mark.parametrize("payload", GATHERED_TEXT.values(), ids=GATHERED_TEXT.keys())
def test_gathered_text_is_measured_before_it_is_joined(site, capsys, payload):
    refused_on_line_two(site, capsys, "{% set s = 'x' * 10000 %}" + payload,
                        "a result longer than 1,000,000 is not allowed")


def test_gathered_text_is_refused_before_it_is_joined():
    """What Jinja gathers is measured before "".join makes it: a piece that says it is
    longer than a value may be is refused without being joined (joining it would fail)."""
    from generator.theme.templates import MAX_SIZE, ThemeEnvironment

    class Long:
        def __len__(self) -> int:
            return MAX_SIZE + 1

    with pytest.raises(jinja2.exceptions.SecurityError, match="longer than 1,000,000"):
        ThemeEnvironment.concat([Long()])  # type: ignore[list-item]
    assert ThemeEnvironment.concat(iter(["a", "b"])) == "ab"
