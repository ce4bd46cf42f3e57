"""Theme templates, compiled in Jinja's sandbox with size bounds, and cached on disk.

Templates may come from a stranger's pull request: they run in an immutable sandbox,
and nothing one expression allocates may exceed MAX_SIZE.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import keyword
import os
import re
import shutil
import sys
import traceback
import types
from collections.abc import Callable, Iterable, Iterator, MutableMapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property, wraps
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
import markupsafe
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame, optimizeconst
from jinja2.exceptions import SecurityError
from jinja2.nodes import EvalContext
from jinja2.runtime import LoopContext, Macro
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import Namespace
from markupsafe import Markup, escape

from generator import __version__
from generator.content.model import Content, Update
from generator.content.timeutil import iso
from generator.site.memo import Memo
from generator.site.paths import (
    absolute,
    component_dir,
    edition,
    incident_dir,
    language_dir,
)
from generator.theme.i18n import Translator, autonym
from generator.theme.markup import Markdown, update_html
from generator.theme.themes import Theme, ThemeError, default_theme_dir

# --- rendering ---------------------------------------------------------------------------

class TemplateCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates on disk, like Python's .pyc files: compiling the theme is most
    of a small site's build. Jinja checks each entry against the template's source, and a
    cache that cannot be read or written is simply not used."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError, ValueError, EOFError):
            super().load_bytecode(bucket)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


CACHE_VARIABLE = "HELIOGRAPH_CACHE_DIR"
CACHE_KEY = re.compile(r"[0-9a-f]{16}")
MAX_CACHED = 2000  # compiled templates kept (one per template file and environment)


def cache_dir() -> str | None:
    """Heliograph's cache folder: HELIOGRAPH_CACHE_DIR (empty or 'off': no cache), else
    $XDG_CACHE_HOME/heliograph, else ~/.cache/heliograph."""
    chosen = os.environ.get(CACHE_VARIABLE)
    if chosen is not None:
        return None if chosen.strip().lower() in ("", "off") else chosen
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "heliograph")


def environment_key(env: jinja2.Environment) -> str:
    """Everything that changes what a template compiles to. Compiled code is executed as
    is, so code compiled by another environment (say, without the sandbox or autoescape)
    must never be loaded: each key has its own folder."""
    facts = (__version__, jinja2.__version__, sys.version, type(env).__module__,
             type(env).__qualname__, env.sandboxed,
             sorted(getattr(env, "intercepted_binops", ())),
             sorted(getattr(env, "intercepted_unops", ())), env.autoescape, env.optimized,
             env.finalize, env.is_async, env.newline_sequence, env.keep_trailing_newline,
             env.trim_blocks,
             env.lstrip_blocks, env.block_start_string, env.block_end_string,
             env.variable_start_string, env.variable_end_string, env.comment_start_string,
             env.comment_end_string, env.line_statement_prefix, env.line_comment_prefix,
             sorted(env.extensions), env.code_generator_class.__qualname__,
             getattr(env.code_generator_class, "revision", None), MAX_SIZE, RUN_VALUES,
             env.undefined.__qualname__)
    return hashlib.sha256(repr(facts).encode()).hexdigest()[:16]


def template_cache(env: jinja2.Environment) -> TemplateCache | None:
    """The cache for this environment's compiled templates, or None (disabled, unusable,
    or a folder others could write to: its entries are run as code)."""
    base = cache_dir()
    if base is None:
        return None
    root = os.path.join(base, "templates")
    folder = os.path.join(root, environment_key(env))
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        for path in (root, folder):
            info = os.stat(path)
            if info.st_uid != os.getuid() or info.st_mode & 0o022:
                return None
        prune(root, os.path.basename(folder))
    except OSError:
        return None
    return TemplateCache(folder)


def prune(root: str, keep: str) -> None:
    """Drop other environments' folders (an upgrade leaves one behind) and, past
    MAX_CACHED entries, the least recently written half."""
    for name in os.listdir(root):
        if name != keep and CACHE_KEY.fullmatch(name):
            shutil.rmtree(os.path.join(root, name), ignore_errors=True)
        elif name.startswith("__jinja2_"):  # entries of Heliograph <= 0.1.0, unkeyed
            with contextlib.suppress(OSError):
                os.remove(os.path.join(root, name))
    folder = os.path.join(root, keep)
    entries = os.listdir(folder)
    if len(entries) > MAX_CACHED:
        paths = [os.path.join(folder, e) for e in entries]
        paths.sort(key=lambda p: os.stat(p).st_mtime if os.path.exists(p) else 0)
        for path in paths[:len(paths) // 2]:
            with contextlib.suppress(OSError):
                os.remove(path)


# What a template may build at once: a string, list or number of digits past this is a
# template trying to exhaust memory, not laying out a status page.
MAX_SIZE = 1_000_000
MAX_WIDTH = 999  # field width or precision in a format string
# What one page may add up to: a loop printing a large string over and over stays within
# MAX_SIZE at each step. The largest real pages are well under a megabyte.
MAX_PAGE = 50_000_000
# A run of a template's output is yielded as one piece (BoundedCodeGenerator.visit_Output),
# a new string of at most RUN_VALUES values: each within MAX_SIZE (what a template builds)
# or a file's size limit (content, catalogues: 1 MB), escaped. bounded_join counts each
# piece, so a page stops within one run of MAX_PAGE.
RUN_VALUES = 8


_SIZED = (str, bytes, list, tuple)


def _size(value: Any) -> int:
    return len(value) if isinstance(value, _SIZED) else 1


# What str() writes of these is a few characters (an int's digits are bounded by `**`).
_SHORT = (int, float, bool, type(None))
_CONTAINERS = (list, tuple, dict, set, frozenset)
_PLAIN_TYPES = frozenset({str, Markup, *_SHORT})  # values whose text is what they hold


def _check_text(*values: Any) -> None:
    """Refuse to write as text what would be longer than MAX_SIZE: each value is bounded,
    but a list may hold a thousand references to a string of a million characters, and
    str() of it would make them all (`[s] * 1000`, a long literal list, a namespace, the
    whole derived state). Counted without making the text, within a budget: the same
    count as str() gives, give or take the quotes and separators. Strings and numbers,
    the values pages are made of, cost nothing."""
    for value in values:  # most are strings: nothing to count
        if type(value) not in _PLAIN_TYPES:
            break
    else:
        return
    stack = [v for v in values if type(v) not in _PLAIN_TYPES]
    budget = MAX_SIZE
    while stack:
        value = stack.pop()
        if isinstance(value, str | bytes):
            budget -= len(value) + 2
        elif isinstance(value, _SHORT):
            budget -= 8
        elif isinstance(value, dict):
            budget -= 2 + 4 * len(value)
            stack += value.keys()
            stack += value.values()
        elif isinstance(value, _CONTAINERS):
            budget -= 2 + 2 * len(value)
            stack += value
        elif isinstance(value, Namespace):  # writes its attributes, like a dict
            stack.append(object.__getattribute__(value, "__dict__"))
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            shown = [f for f in dataclasses.fields(value) if f.repr]
            budget -= len(type(value).__name__) + 2 + sum(len(f.name) + 3 for f in shown)
            stack += [getattr(value, f.name) for f in shown]
        else:  # a date, a zone, a function, a loop: a short repr
            budget -= 100
        if budget < 0:
            raise SecurityError(f"a value whose text is longer than {MAX_SIZE:,} characters "
                                "is not allowed")


def text(value: Any) -> str:
    """str(value) for `{{ value }}` where nothing is escaped, bounded (_check_text)."""
    if type(value) not in _PLAIN_TYPES:
        _check_text(value)
    return str(value)


def concat(pieces: Iterable[str]) -> str:
    """The text of a macro, a `{% set %}` or `{% filter %}` block, a `caller()` or a block
    called as `self.name()`, which Jinja gathers in a list and joins: measured before it
    is joined, since each piece may be a long value printed again and again (a million
    characters 100,000 times would be 100 GB). A value past MAX_SIZE is refused (`call`
    refuses a longer macro's result anyway, after it is made)."""
    pieces = pieces if isinstance(pieces, list) else list(pieces)
    if sum(map(len, pieces)) > MAX_SIZE:
        raise SecurityError(f"a result longer than {MAX_SIZE:,} is not allowed")
    return "".join(pieces)


def checked(values: tuple[Any, ...]) -> tuple[Any, ...]:
    """The operands of `~`, once their text is known to be bounded (_check_text)."""
    _check_text(*values)
    return values


def _check_format(text: str) -> None:
    """'%0999999999d' or '{:>999999999}' would allocate a gigabyte from a few bytes."""
    if "*" in text or any(int(n) > MAX_WIDTH for n in FORMAT_NUMBER.findall(text)):
        raise SecurityError("format widths over 999 (or '*') are not allowed in templates")


FORMAT_NUMBER = re.compile(r"[%:.]\D{0,4}?(\d+)")


# Frozen dataclasses of Heliograph's own model, state and page views (and the renderer's
# LanguageLink and ClockFormat): their public attributes are plain data or pure
# properties, and they are what templates are given (docs/theming.md).
VIEW_MODULES = ("generator.content.model", "generator.state.", "generator.outputs.pages",
                "generator.theme.templates")


@functools.cache
def is_view_type(cls: type[Any]) -> bool:
    params = getattr(cls, "__dataclass_params__", None)
    return bool(params and params.frozen and cls.__module__.startswith(VIEW_MODULES))


class BoundedCodeGenerator(CodeGenerator):
    """Compiles `a ~ b` so that its result is measured (`environment.bounded`): a loop
    that doubles a string with `~` stops at MAX_SIZE instead of filling memory.

    A page is a few hundred attribute reads, calls and `{{ }}` values, and a call of the
    sandbox's method for each cost more than the markup around it. The common cases are
    written inline, each checking at run time that it applies and falling back to the
    sandbox's method otherwise: reads of the views' data (visit_Getattr), calls of `t` and
    the Renderer's helpers (visit_Call), and a run of output yielded at once
    (visit_Output). Compiles `{{ value }}` (autoescaped) to `escape_output(value)`."""

    revision = 7  # part of the cache key: raise it when what this writes changes

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # The fast paths below, written inline, unless ThemeEnvironment.compile says not.
        self.inline: bool = getattr(self.environment, "inline", True)

    @optimizeconst
    def visit_Getattr(self, node: nodes.Getattr, frame: Frame) -> None:
        """`x.name` reads the attribute inline when `x`'s class has it in the environment's
        `plain_attributes` (most reads of a page: a call of the sandbox's getattr cost more
        than the markup around it); anything else goes through the sandbox as before."""
        attr = node.attr
        if not self.inline or attr[:1] == "_" or not attr.isidentifier() or \
                keyword.iskeyword(attr):
            super().visit_Getattr(node, frame)
            return
        value = self.temporary_identifier()
        self.write(f"({value}.{attr} if {attr!r} in environment.plain_attributes[type({value} := ")
        self.visit(node.node, frame)
        self.write(f")] else environment.getattr({value}, {attr!r}))")

    @optimizeconst
    def visit_Call(self, node: nodes.Call, frame: Frame, forward_caller: bool = False) -> None:
        """A call with positional arguments only calls the function inline when it is one
        of the environment's `direct` ones (the translator and the Renderer's helpers) and
        every argument a string or a time: what `ThemeEnvironment.call` does then, without
        a call of its own (its checks cost more than `t('key')` itself). The result is
        measured as `call` measures it; any other call goes through `call`."""
        if not self.inline or forward_caller or not node.args or node.kwargs \
                or node.dyn_args or node.dyn_kwargs:
            super().visit_Call(node, frame, forward_caller=forward_caller)
            return
        function, result = self.temporary_identifier(), self.temporary_identifier()
        # A constant string is written as it is (most calls are t('key')): no check, and
        # less code for Python to compile.
        texts = [arg.value if isinstance(arg, nodes.Const) and type(arg.value) is str
                 else None for arg in node.args]
        args = [self.temporary_identifier() if text is None else repr(text) for text in texts]
        self.write(f"(({result} if len({result} := {function}({', '.join(args)})) <= "
                   f"{MAX_SIZE} else environment.bounded({result})) if (type({function} := ")
        self.visit(node.node, frame)
        self.write(") in environment.direct_types)")
        for name, arg, text in zip(args, node.args, texts, strict=True):
            if text is None:
                self.write(f" & (type({name} := ")
                self.visit(arg, frame)
                self.write(") in environment.direct_args)")
        self.write(f" and {function} in environment.direct "
                   f"else environment.call(context, {function}, {', '.join(args)}")
        for name, flag in (("_loop_vars", frame.loop_frame), ("_block_vars", frame.block_frame)):
            if flag:
                self.write(f", {name}={name}")
        self.write("))")

    def visit_Output(self, node: nodes.Output, frame: Frame) -> None:
        """A run of text and `{{ }}` values is yielded as one string rather than piece by
        piece (each yield passes through every template of the page: about 5% of
        rendering it). Jinja writes a run as `<buffer>.extend((a, b, ...))`; `output_run` joins it.
        A run has at most RUN_VALUES values, so that bounded_join still sees the page grow
        a bounded step at a time."""
        if not self.inline or frame.buffer is not None or len(node.nodes) < 2:
            super().visit_Output(node, frame)
            return
        run: list[nodes.Expr] = []
        values = 0
        for child in node.nodes:
            run.append(child)
            values += not isinstance(child, nodes.TemplateData)
            if values == RUN_VALUES:
                self._output_run(nodes.Output(run, lineno=node.lineno), frame)
                run, values = [], 0
        if run:
            self._output_run(nodes.Output(run, lineno=node.lineno), frame)

    def _output_run(self, node: nodes.Output, frame: Frame) -> None:
        frame.buffer = "yield environment.output_run"
        try:
            super().visit_Output(node, frame)
        finally:
            frame.buffer = None

    @optimizeconst
    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        # Jinja's markup_join or str_join, as Jinja picks them, of the operands once their
        # text is known to be bounded; the result measured.
        if frame.eval_ctx.volatile:
            join = "(markup_join if context.eval_ctx.autoescape else str_join)"
        else:
            join = "markup_join" if frame.eval_ctx.autoescape else "str_join"
        self.write(f"environment.bounded({join}(environment.checked((")
        for operand in node.nodes:
            self.visit(operand, frame)
            self.write(", ")
        self.write("))))")

    def _output_child_pre(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        if frame.eval_ctx.volatile:
            self.write("(environment.escape_output if context.eval_ctx.autoescape "
                       "else environment.text)(")
        elif not frame.eval_ctx.autoescape:
            self.write("environment.text(")
        else:
            self.write("environment.escape_output(")
        if finalize.src is not None:
            self.write(finalize.src)


_HTML_SPECIAL = re.compile("[&<>'\"]")  # what markupsafe.escape replaces


def escape_output(value: Any) -> str:
    """What an autoescaped `{{ value }}` writes, as markupsafe.escape writes it. Only the
    page's text is made of these pieces (joined, then marked safe as a whole where Jinja
    needs it), so text with nothing to escape and Markup are passed on as they are,
    rather than made into a new Markup each: most pieces of a page are such."""
    kind = type(value)
    if kind is str or kind is Markup:
        text: str = value
        return escape(text) if kind is str and _HTML_SPECIAL.search(text) else text
    if kind not in _SHORT:
        _check_text(value)
    return escape(value)


class OutputRun:
    """What a compiled template yields a run of output through (visit_Output)."""

    extend = staticmethod("".join)  # the run's pieces: all strings

    @staticmethod
    def append(piece: str) -> str:  # a run of one piece (the others were constants)
        return piece


class ThemeEnvironment(ImmutableSandboxedEnvironment):
    """Jinja's sandbox (no access to Python internals, no mutating of the objects it is
    given) with bounds on what one expression can allocate: operators, concatenation,
    calls and filters either check the size of their result before making it (where a
    few bytes could ask for gigabytes: `*`, `**`, `%`, `+`, replace, expandtabs, join,
    indent) or check it after (everything else grows at most by its inputs)."""

    intercepted_binops = frozenset({"*", "**", "%", "+"})
    code_generator_class = BoundedCodeGenerator
    escape_output = staticmethod(escape_output)
    concat = staticmethod(concat)
    text = staticmethod(text)
    checked = staticmethod(checked)
    output_run = OutputRun
    # What compiled calls may call directly (BoundedCodeGenerator.visit_Call): each writes
    # its arguments as text and returns a string. The Renderer fills `direct`.
    direct_types = frozenset({Translator, types.FunctionType, types.MethodType})
    direct_args = frozenset({str, datetime})  # arguments they take inline: short, as text
    direct: frozenset[Any] = frozenset()
    inline = True  # BoundedCodeGenerator writes its fast paths inline (see compile)

    def __init__(self, **options: Any):
        super().__init__(**options)
        self.plain_attributes = PlainAttributes()
        # Lorem ipsum has no place in a status page; lipsum(n=10**9) would fill memory.
        self.globals.pop("lipsum", None)
        for name, function in list(self.filters.items()):
            self.filters[name] = _bounded(function, name not in _KEEP_VALUES)

    def compile(self, *args: Any, **kwargs: Any) -> Any:
        """Jinja's compile; a template whose code with the fast paths written inline is too
        deeply nested for Python's parser (each attribute read and call is three levels
        deeper than Jinja writes it: 200 levels is some 66 reads) is compiled without them,
        as Jinja's sandbox would compile it, rather than failing with a SyntaxError."""
        try:
            return super().compile(*args, **kwargs)
        except SyntaxError:
            if not self.inline:
                raise
        self.inline = False
        try:
            return super().compile(*args, **kwargs)
        finally:
            del self.inline

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        # Jinja layers a template's globals over the environment's in a ChainMap, which
        # every render then copies key by key in Python (5-10% of an incident page). The
        # Renderer sets every global before it loads a template, so a copy holds the same.
        return {**self.globals, **(d or {})}

    @staticmethod
    def bounded(value: Any) -> Any:
        if isinstance(value, _SIZED) and len(value) > MAX_SIZE:
            raise SecurityError(f"a result longer than {MAX_SIZE:,} is not allowed")
        return value

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any,
                   right: Any) -> Any:
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(times, int) and _size(seq) * times > MAX_SIZE:
                    raise SecurityError(f"a result longer than {MAX_SIZE:,} is not allowed")
        elif operator == "**":
            if isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and \
                    right * max(abs(left), 2).bit_length() > MAX_SIZE:
                raise SecurityError("a number that large is not allowed in templates")
        elif operator == "%" and isinstance(left, str):
            _check_format(left)
            _check_text(right)
        elif operator == "+" and _size(left) + _size(right) > MAX_SIZE:
            raise SecurityError(f"a result longer than {MAX_SIZE:,} is not allowed")
        return super().call_binop(context, operator, left, right)

    def getattr(self, obj: Any, attribute: str) -> Any:
        # What compiled templates read inline (plain_attributes) is read directly here
        # too: through `|attr`, format strings, and templates compiled without the
        # shortcuts. Anything else gets the sandbox's checks.
        if attribute in self.plain_attributes[type(obj)]:
            return getattr(obj, attribute)
        return super().getattr(obj, attribute)

    def call(__self, __context: jinja2.runtime.Context, __obj: Any, *args: Any,
             **kwargs: Any) -> Any:
        # Most calls of a page are t(...), macros and Heliograph's own helpers: call them
        # directly (what the sandbox would end up doing) rather than through its checks
        # for arbitrary callables, which cost a third of rendering an incident page.
        if args or kwargs:
            _check_arguments(args, kwargs)
        kind = type(__obj)
        if kind is Macro or (kind in __self.direct_types and __obj in __self.direct):
            if kwargs:  # Jinja adds these to calls inside loops and blocks
                kwargs.pop("_loop_vars", None)
                kwargs.pop("_block_vars", None)
            if kind is Macro:
                return __self.bounded(__obj(__context.eval_ctx, *args, **kwargs))
            _check_text(*args, *kwargs.values())  # t() and the helpers write them as text
            return __self.bounded(__obj(*args, **kwargs))
        if isinstance(getattr(__obj, "__self__", None), str):
            _check_str_method(__obj.__self__, __obj.__name__, args, kwargs)
        return __self.bounded(super().call(__context, __obj, *args, **kwargs))

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        _check_format(value.__self__)

        def formatted(*args: Any, **kwargs: Any) -> str:
            _check_text(*args, *kwargs.values())
            return wrapped(*args, **kwargs)

        return formatted


class PlainAttributes(dict[type, frozenset[str]]):
    """Class -> the attributes compiled templates read directly (visit_Getattr): the public
    fields and properties of Heliograph's frozen view types (data, and pure functions of
    it that never fail), and the plain facts of _PLAIN_ATTRIBUTES (a loop's counters).
    `getattr` would hand each over unchanged; any other class has none, and goes through
    it."""

    def __missing__(self, kind: type) -> frozenset[str]:
        names = _PLAIN_ATTRIBUTES.get(kind, frozenset())
        if is_view_type(kind):
            computed = {name for klass in kind.__mro__ for name, value in vars(klass).items()
                        if isinstance(value, property | cached_property)}
            names |= {name for name in {f.name for f in dataclasses.fields(kind)} | computed
                      if name[:1] != "_"}
        self[kind] = names
        return names


# Attributes whose values are plain numbers, booleans and strings (PlainAttributes).
_PLAIN_ATTRIBUTES: dict[type[Any], frozenset[str]] = {
    LoopContext: frozenset({"index", "index0", "revindex", "revindex0", "first", "last",
                            "length", "depth", "depth0"}),
    Translator: frozenset({"dir", "language"}),
}


def _check_arguments(args: Sequence[Any], kwargs: dict[str, Any]) -> None:
    """'x'.center(10**9), 'x'.zfill(...), cycler/joiner and friends: no size past MAX_SIZE."""
    for value in (*args, *kwargs.values()):
        if type(value) is int and not -MAX_SIZE <= value <= MAX_SIZE:
            raise SecurityError(f"a number over {MAX_SIZE:,} is not allowed as an argument")


def _check_str_method(text: str, name: str, args: Sequence[Any],
                      kwargs: dict[str, Any]) -> None:
    """The size of what a string method would make, before it makes it: replace and
    expandtabs multiply, join repeats the separator."""
    if name == "replace" and len(args) >= 2 and isinstance(args[0], str) \
            and isinstance(args[1], str):
        grown = text.count(args[0]) * max(0, len(args[1]) - len(args[0]))
        size = len(text) + grown
    elif name == "expandtabs":
        tab = args[0] if args else kwargs.get("tabsize", 8)
        size = len(text) * max(1, tab) if isinstance(tab, int) else 0
    elif name == "join" and args and isinstance(args[0], list | tuple):
        size = sum(_size(item) for item in args[0]) + len(text) * len(args[0])
    else:
        return
    if size > MAX_SIZE:
        raise SecurityError(f"a result longer than {MAX_SIZE:,} is not allowed")


# Jinja's filters that give values, not text made from them: `|length` of a long list
# must not be refused for what writing the list would make. Every other filter writes
# its input and arguments as text (`|string`, `|join`, `|format`, `|pprint`, ...).
_KEEP_VALUES = frozenset({
    "abs", "attr", "batch", "count", "d", "default", "dictsort", "first", "float",
    "groupby", "int", "items", "last", "length", "list", "map", "max", "min", "random",
    "reject", "rejectattr", "reverse", "round", "select", "selectattr", "slice", "sort",
    "sum", "unique"})


def _bounded(function: Callable[..., Any], writes_text: bool) -> Callable[..., Any]:
    """A filter with its arguments and its result bounded (see ThemeEnvironment), and
    what it writes as text (`writes_text`) too."""
    name = getattr(function, "__name__", "")

    @wraps(function)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        _check_arguments(args[1:], kwargs)
        values = [a for a in args if not isinstance(a, EvalContext)]
        if writes_text:
            _check_text(*values, *kwargs.values())
        if name == "do_format" and values:
            _check_format(str(values[0]))
        elif name in ("do_replace", "do_join", "do_indent") and values:
            text = values[0] if isinstance(values[0], str) else ""
            if name == "do_replace" and len(values) >= 3:
                _check_str_method(str(values[0]), "replace", values[1:3], {})
            elif name == "do_join" and isinstance(values[0], list | tuple):
                separator = values[1] if len(values) > 1 else kwargs.get("d", "")
                _check_str_method(str(separator), "join", [values[0]], {})
            elif name == "do_indent":
                width = values[1] if len(values) > 1 else kwargs.get("width", 4)
                if _size(width) * (text.count("\n") + 1) > MAX_SIZE or (
                        isinstance(width, int) and width * (text.count("\n") + 1) > MAX_SIZE):
                    raise SecurityError(f"a result longer than {MAX_SIZE:,} is not allowed")
        return ThemeEnvironment.bounded(function(*args, **kwargs))

    return bounded


class ThemeLoader(jinja2.BaseLoader):
    """Templates from the theme's checked file list only (theme.theme_files): no path
    from a template name, no symbolic link, is ever opened."""

    def __init__(self, theme: Theme):
        self.theme = theme

    def get_source(self, environment: jinja2.Environment,
                   template: str) -> tuple[str, str, Callable[[], bool]]:
        path = self.theme.template(template)
        if path is None:
            raise jinja2.TemplateNotFound(template)
        try:
            source = path.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ThemeError(f"cannot read the template: {exc}", str(path)) from None
        return source, str(path), lambda: True


def template_problem(exc: BaseException, default: str) -> ThemeError | None:
    """A template's error as 'file:line: message', or None when the fault is Heliograph's
    (an error inside the built-in theme that is not a template error)."""
    template_error = isinstance(exc, jinja2.TemplateError | RecursionError)
    file, line = getattr(exc, "filename", None), getattr(exc, "lineno", None)
    if not file:
        frames = [f for f in traceback.extract_tb(exc.__traceback__)
                  if f.filename.endswith(".html") and os.path.isfile(f.filename)]
        if frames:
            file, line = frames[-1].filename, frames[-1].lineno
    if not template_error and (not file or Path(file).is_relative_to(default)):
        return None
    if isinstance(exc, SecurityError):
        what = f"not allowed in a template: {exc}"
    elif isinstance(exc, RecursionError):
        what = "templates call each other too deeply (endless recursion?)"
    elif isinstance(exc, jinja2.TemplateError):
        what = f"template error: {exc.message or type(exc).__name__}"
    else:
        what = f"template error: {type(exc).__name__}: {exc}"
    return ThemeError(what, file or "theme", line)


def bounded_join(pieces: Iterator[str], filename: str | None) -> str:
    """A page's pieces joined, or a ThemeError once they add up to more than MAX_PAGE
    characters. Counted piece by piece: a piece is a run of up to RUN_VALUES values, a new
    string each, so a batch of them could be gigabytes before it was counted."""
    parts: list[str] = []
    size = 0
    for piece in pieces:
        size += len(piece)
        if size > MAX_PAGE:
            raise ThemeError(f"not allowed in a template: a page longer than {MAX_PAGE:,} "
                             "characters (a loop printing the same text over and over?)",
                             filename)
        parts.append(piece)
    return "".join(parts)


@dataclass(frozen=True)
class LanguageLink:
    """The page in one of the site's languages: for <link rel="alternate" hreflang> and the
    language switcher."""

    code: str  # the language code as site.yaml writes it: the hreflang value
    name: str  # the language's name in itself ("Deutsch")
    href: str  # relative link from the page
    url: str  # absolute URL
    current: bool  # the page's own language


@dataclass(frozen=True)
class ClockFormat:
    """What the optional script needs to write a time as the page does (base.html's
    `<body data-datetime data-months data-ampm>`): the same for every page of a language,
    so worked out once rather than by every page."""

    datetime: str  # datetime_format with time_format in place of {time}
    months: str  # the short month names, joined by "|"
    am_pm: str  # AM and PM joined by "|" when time_format has {p} (a 12-hour clock), else ""


def clock_format(t: Translator) -> ClockFormat:
    """A language's ClockFormat (a function, not a method: templates see only data)."""
    twelve = "{p}" in t("time_format")
    return ClockFormat(t.datetime_pattern(), "|".join(t.names["months_short"]),
                       "|".join(t.names["am_pm"]) if twelve else "")


class Renderer:
    """Compiled templates and helpers for one site in one of its languages (by default the
    first, at the root); reusable across rebuilds."""

    def __init__(self, content: Content, theme: Theme, md: Markdown | None = None,
                 jobs: int = 1, language: str | None = None, pages_once: bool = False):
        self.content = content  # for the other languages' renderers; only its site is used
        self.root_site = content.site
        self.language = language or self.root_site.language
        self.folder = language_dir(self.root_site, self.language)  # "" or "de/"
        self.up = "../" * self.folder.count("/")  # from the language's folder to the root
        self.site = edition(self.root_site, self.language)
        self.jobs = jobs  # worker processes (cold builds of large sites)
        self.theme = theme
        self.md = md or Markdown()
        # A build makes each page once (`pages_once`); `serve` remembers them, to make
        # again only those whose inputs changed.
        self.pages_once = pages_once
        self.memo = Memo(forget="page" if pages_once else None)
        self.t = Translator(theme.catalogue(self.language), self.site.zone, self.language)
        self.root_path = urlsplit(self.root_site.base_url).path or "/"
        # Theme templates may come from a stranger's pull request: they run sandboxed.
        self.env = ThemeEnvironment(
            loader=ThemeLoader(theme),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            # Templates do not change during a build; `serve` makes a new Renderer when
            # they do. Without this, every page would stat every template it uses.
            auto_reload=False,
            # Jinja's optimizer folds constant expressions as it compiles: nothing in the
            # default theme's (one `-1`), and a sixth of compiling a template, which is
            # what `serve` does when one is edited; nor does it evaluate a theme's
            # expressions at compile time.
            optimized=False,
        )
        self.env.bytecode_cache = template_cache(self.env)
        self._isos: dict[datetime, str] = {}
        self.env.globals.update(t=self.t, site=self.site, asset=self.asset, iso=self.iso,
                                incident_dir=incident_dir, component_dir=component_dir,
                                base_path=urlsplit(self.site.base_url).path or "/",
                                brand_css=theme.brand_css, logo=theme.logo,
                                clock_format=clock_format(self.t))
        self.env.direct = frozenset({self.t, self.asset, self.iso, incident_dir, component_dir})
        self.env.filters.update(md=self.markdown, message=self.message,
                                datetime=self.t.datetime, date=self.t.date,
                                duration=self.t.duration, percent=self.t.percent)

    def markdown(self, text: str) -> markupsafe.Markup:
        return markupsafe.Markup(self.md(text))

    def message(self, update: Update) -> markupsafe.Markup:
        """An update's message as HTML; automatic updates say what the clock did."""
        return markupsafe.Markup(update_html(update, self.md, self.t))

    @cached_property
    def translations(self) -> tuple[Renderer, ...]:
        """A renderer for each of the site's other languages (the root language's renderer
        has them), kept with it so that `serve` reuses what they remember."""
        if self.folder:
            return ()
        return tuple(Renderer(self.content, self.theme, self.md, self.jobs, code,
                              self.pages_once) for code in self.root_site.translations)

    def iso(self, value: datetime) -> str:
        """timeutil.iso, remembered: a page writes a time for `<time datetime>` as well as
        for people, and the history, feeds and pages write the same times again. Only UTC
        times are remembered (all of the content's): equal times in other zones are equal
        keys, with other text."""
        if value.tzinfo is not UTC:
            return iso(value)
        text = self._isos.get(value)
        if text is None:
            text = self._isos[value] = iso(value)
        return text

    def asset(self, name: str) -> str:
        """A static file's path from `root`: assets are published once, at the site root."""
        if name not in self.theme.assets:
            raise jinja2.TemplateRuntimeError(f"asset('{name}'): the theme has no static "
                                              "file of that name")
        return self.up + self.theme.assets[name]

    def language_links(self, path: str, site_root: str) -> tuple[LanguageLink, ...]:
        """The page `path` in every language of the site; none for a site in one."""
        site = self.root_site
        if not site.translations:
            return ()
        page = path.removesuffix("index.html")
        return tuple(LanguageLink(code, autonym(code),
                                  (site_root + language_dir(site, code) + page) or "./",
                                  absolute(edition(site, code), path), code == self.language)
                     for code in site.languages)

    def page(self, template: str, path: str, **context: Any) -> bytes:
        """The page at `path` within the language's folder."""
        depth = path.count("/")
        context.setdefault("root", "../" * depth)
        context.setdefault("site_root", context["root"] + self.up)
        context.setdefault("canonical", absolute(self.site, path))
        context.setdefault("languages", self.language_links(path, context["site_root"]))
        try:
            found = self.env.get_template(template)
            html = bounded_join(found.generate(path=path, **context), found.filename)
        except (Exception, RecursionError) as exc:
            problem = template_problem(exc, str(default_theme_dir()))
            if problem is None:
                raise
            raise problem from None
        return html.encode("utf-8")

