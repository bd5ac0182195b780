"""The second template engine: Jinja2, for what every page repeats, the longest tables and
the busiest pages.

Most pages are Django templates. The layout's header and footer, each form field, and a page's
long tables (a page of purchases, a case's timeline) are rendered from Jinja2 templates
(`templates/**/*.jinja`) through `{% jinja_include %}` and `{% field %}` (accounts' template
tags). The pages read most often (the debrief, the case page, the home page) are Jinja2
throughout (`base.jinja`), and htmx asks for their parts as blocks (`Part`). Jinja2 compiles a template to
Python, so a row costs a third to a half of what Django's engine takes for the same markup, and
those parts were most of each page's time (docs/performance.md). Here are the Django helpers
they need, with the meaning they have in Django templates: `url()`, `static()`,
`htmx_script()` and `field()` (`{% field %}`), and the `date`, `floatformat`, `linebreaksbr`,
`pluralize` and `truncatechars` filters, and `display` for a field's `get_..._display()`
(Jinja2's own filters are there too; `safe` is never used). A page rendered with its request
has what the context processors give a Django template, with one `csrf_token` a page (write it
in a hidden input: Django's `csrf_input` works out a new token each time). Output is escaped
as Django templates escape it, character for character."""

import contextlib
import contextvars
import datetime as dt
import unicodedata
from decimal import ROUND_HALF_UP, Decimal
from functools import cache, lru_cache
from operator import attrgetter

import jinja2
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import TemplateDoesNotExist, defaultfilters
from django.template.backends import jinja2 as django_jinja2
from django.templatetags.static import static as static_address
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.dates import MONTHS, MONTHS_3, WEEKDAYS, WEEKDAYS_ABBR
from django.utils.encoding import force_str
from django.utils.safestring import SafeString
from django.utils.text import normalize_newlines
from django.utils.translation import get_language
from django_htmx import jinja as django_htmx
from jinja2 import Environment
from markupsafe import Markup, escape

from accounts.html import django_quotes, escape_text, escaped

# Numbers no object's id is, reversed in the ids' places to find where they go in an address.
_ID_SLOTS = tuple(2_147_480_009 + n for n in range(4))


def url(name: str, *args) -> str:
    """Django's `reverse(name, args=args)`. An address with no ids (the layout's) or only ids
    (a row's links) is worked out once per name, then the ids put in their places: a table
    of 50 rows reversed the same address 50 times, at a fiftieth of a millisecond each. The
    script prefix and URLconf are read once per template (`_where`)."""
    if all(type(arg) is int and arg >= 0 for arg in args):
        parts = _around_ids(name, len(args), *_where()[2:])
        if parts:  # the parts are escaped, and a whole number needs no escaping
            text = parts[0]
            for arg, part in zip(args, parts[1:], strict=True):
                text = f"{text}{arg}{part}"
            return SafeString(text)  # nosec B703: see above
    return reverse(name, args=args)


@lru_cache(maxsize=1024)
def _around_ids(name: str, count: int, script_prefix: str,
                urlconf: str | None) -> tuple[str, ...] | None:
    """The parts of the address `name` takes `count` ids for, between and around the ids
    (escaped); None when it cannot be split so (then `url` reverses as usual)."""
    if count > len(_ID_SLOTS):
        return None
    try:
        rest = reverse(name, urlconf=urlconf, args=_ID_SLOTS[:count])
    except NoReverseMatch:
        return None
    parts = []
    for slot in map(str, _ID_SLOTS[:count]):
        before, found, rest = rest.partition(slot)
        if not found:
            return None
        parts.append(escaped(before))
    if any(str(slot) in rest or str(slot) in "".join(parts) for slot in _ID_SLOTS):
        return None
    return (*parts, escaped(rest))


@cache
def static(path: str) -> SafeString:
    """Django's `{% static %}`, worked out (and escaped) once per file: every page's layout
    names six."""
    return escaped(static_address(path))


def htmx_script(*, nonce=None, **options) -> SafeString:
    """django-htmx's `htmx_script()`. Without a nonce it writes the same tags on every page,
    so they are worked out once (`_htmx_tags`): their addresses are Django's `static`, a
    twentieth of a millisecond on each page."""
    if nonce is not None:
        return django_htmx.htmx_script(nonce=nonce, **options)
    if isinstance(options.get("extensions"), list):  # kept by its options: a list cannot be
        options["extensions"] = tuple(options["extensions"])  # a key
    return _htmx_tags(**options)


@cache
def _htmx_tags(**options) -> SafeString:
    return django_htmx.htmx_script(**options)


@receiver(setting_changed)
def _forget_kept_answers(*, setting, **kwargs):
    """What is kept cannot change while the service runs; in tests, settings can."""
    if setting in {"STORAGES", "STATIC_URL", "ROOT_URLCONF", "USE_I18N", "LANGUAGE_CODE",
                   "DATE_FORMAT", "FORMAT_MODULE_PATH", "DEBUG"}:
        for kept in (static, _htmx_tags, _around_ids, _day, _time_parts):
            kept.cache_clear()


def date(value, format: str = "") -> str:
    """Django's `date` filter, in local time as Django templates show it. A day is written
    once per format and kept (escaped): the rows of a table share a few days, and Django's
    formatting is a fiftieth of a millisecond each time. A time's day is kept the same way
    when the format shows only the day; a time in the formats the rows use ("j F Y, H:i",
    "c") is written here, as Django writes it (tested), at a tenth of the cost. The time zone
    and language are read once per template (`_where`)."""
    zone, language, *_ = _where()
    if isinstance(value, dt.datetime):
        if (settings.USE_TZ and value.utcoffset() is not None
                and getattr(value, "convert_to_local_time", True)):  # as template_localtime
            value = value.astimezone(zone)
        if not _DAY_ONLY.issuperset(format):
            parts = _time_parts(format, language)
            if parts is None:
                return defaultfilters.date(value, format)
            return "".join(part if type(part) is str else part(value) for part in parts)
        value = value.date()
    if type(value) is dt.date:
        return _day(value, format, language)
    return defaultfilters.date(value, format)


def _where() -> tuple:
    """The current time zone, language, script prefix and URLconf, read once while a template
    is written (`_writing`): each is a lookup in the request's context-local state (a
    microsecond or three), and a timeline writes a hundred and fifty dates, a debrief a
    hundred addresses. None changes while a template is written."""
    held = _WHERE.get()
    if held:
        return held[0]
    where = (timezone.get_current_timezone(), get_language(), get_script_prefix(),
             get_urlconf())
    if held is not None:
        held.append(where)
    return where


# While a template is written, a list holding what `_where` read for it; otherwise None, and
# `_where` reads afresh each time.
_WHERE = contextvars.ContextVar("where", default=None)


@contextlib.contextmanager
def _writing():
    """While a template is written: `_where` reads once for it (not on the evaluation context:
    an imported macro's module is kept between requests)."""
    token = _WHERE.set([])
    try:
        yield
    finally:
        _WHERE.reset(token)


# The characters of a format that shows only the day (Django's date format letters for the
# day, week, month and year, and what goes between them; no escapes).
_DAY_ONLY = frozenset("dDjlNSwzWFmMnEtyYLo ,/-.")

# Django's format letters for a time, as django.utils.dateformat writes them.
_TIME_LETTERS = {
    "c": dt.datetime.isoformat,
    "d": lambda t: f"{t.day:02d}",
    "G": lambda t: str(t.hour),
    "H": lambda t: f"{t.hour:02d}",
    "i": lambda t: f"{t.minute:02d}",
    "j": lambda t: str(t.day),
    "m": lambda t: f"{t.month:02d}",
    "n": lambda t: str(t.month),
    "s": lambda t: f"{t.second:02d}",
    "Y": lambda t: f"{t.year:04d}",
    "y": lambda t: f"{t.year % 100:02d}",
}
# The letters that write a name: Django's names (translated when written), how a name is
# written, and which of a time's numbers picks it.
_NAME_LETTERS = {
    "D": (WEEKDAYS_ABBR, str, dt.datetime.weekday),
    "F": (MONTHS, str, attrgetter("month")),
    "l": (WEEKDAYS, str, dt.datetime.weekday),
    "M": (MONTHS_3, lambda name: str(name).title(), attrgetter("month")),
}


@cache
def _time_parts(format: str, language: str) -> tuple | None:
    """The format as text and letters' functions, or None if it holds anything else. Names
    are translated here, once per language (the one active: `date` passes it)."""
    if not format or not set(format) <= {*_TIME_LETTERS, *_NAME_LETTERS, *" ,:/-."}:
        return None
    parts = []
    for char in format:
        if char in _NAME_LETTERS:
            names, written, number = _NAME_LETTERS[char]
            table = {key: written(name) for key, name in names.items()}
            parts.append(lambda t, table=table, number=number: table[number(t)])
        else:
            parts.append(_TIME_LETTERS.get(char, char))
    return tuple(parts)


@lru_cache(maxsize=4096)
def _day(value: dt.date, format: str, language: str) -> SafeString:
    return escaped(defaultfilters.date(value, format))


def floatformat(value, arg=-1) -> str:
    """Django's `floatformat` filter. Pounds and pence (a Decimal, "2g": two places, grouped in
    thousands) are written here, as Django writes them (tested), at a fifth of the cost: a
    spend overview writes a hundred."""
    if type(value) is Decimal and arg == "2g" and value.is_finite():
        pence = value.quantize(_PENNY, ROUND_HALF_UP)
        return SafeString(f"{pence if pence else abs(pence):,.2f}")  # nosec B703: digits
    return defaultfilters.floatformat(value, arg)


_PENNY = Decimal("0.01")


def linebreaksbr(value) -> str:
    """Django's `linebreaksbr` (escaped, then each line break a `<br>`), with `escaped`'s
    escaping for text: a timeline row writes two notes so."""
    if type(value) is not str:
        return defaultfilters.linebreaksbr(value, autoescape=True)
    if "\r" in value:
        value = normalize_newlines(value)
    return SafeString(escaped(value).replace("\n", "<br>"))  # nosec B703: escaped first


def truncatechars(value, length):
    """Django's `truncatechars` filter. Text that fits (most notes) is given back at once, as
    Django gives it back after counting its characters one by one in Python."""
    if (type(value) is str and type(length) is int and length > 0 and len(value) <= length
            and unicodedata.is_normalized("NFC", value)):
        return value
    return defaultfilters.truncatechars(value, length)


def display(instance, field: str):
    """`{{ contact|display("kind") }}`: what `contact.get_kind_display()` gives, from the
    field's choices kept as a dict (Django's makes the dict again on every call, and a
    timeline or a debrief asks once a row)."""
    value = getattr(instance, field)
    return force_str(_choices(type(instance), field).get(value, value), strings_only=True)


@cache
def _choices(model, field: str) -> dict:
    return dict(model._meta.get_field(field).flatchoices)


def _escape(value):
    """What Jinja2's `escape` writes for a value in a template's output, without making a
    `Markup` of the commonest ones: text is escaped by MarkupSafe's C function behind `escape`
    (`accounts.html.escape_text`), a whole number (the ids in a row's markup) is its digits,
    and a value already safe (an address from `url()`, a form field) is itself. Every other
    value is escaped by `escape`. A debrief writes two thousand values."""
    kind = type(value)
    if kind is str:
        return escape_text(value)
    if kind is int:
        return str(value)
    if kind is SafeString or kind is Markup:
        return value
    return escape(value)


class Template(jinja2.Template):
    """A template whose output is escaped as Django templates escape it, character for
    character: Jinja2 escapes each value (MarkupSafe's C code, once), and quotes come out as
    Django writes them (`&quot;` and `&#x27;`, where MarkupSafe writes `&#34;` and `&#39;`),
    put right once over the whole output (`django_quotes`). Escaping each value twice
    (Django's way first, then Jinja2's) was 40% of the time of a row. The templates' own text
    never spells a quote `&#34;` or `&#39;` (tested)."""

    def render(self, *args, **kwargs) -> str:
        with _writing():
            return django_quotes(super().render(*args, **kwargs))

    @classmethod
    def from_code(cls, environment, code, globals, uptodate=None):
        template = super().from_code(environment, code, globals, uptodate)
        # The compiled template's functions share one namespace: its `escape` is ours.
        template.root_render_func.__globals__["escape"] = _escape
        return template


class Part:
    """One block of a Jinja2 page rendered by itself, as htmx asks for a part of a page:
    `render(request, "debriefs/debrief_detail.jinja#attendance", context, using="jinja2")`,
    as a Django template's `{% partialdef %}` is named. A block sees the page's context (the
    view's values and the context processors'), not variables set elsewhere in the page."""

    def __init__(self, template: Template, block: str):
        self.template, self.block = template, block

    def render(self, context) -> str:
        template = self.template
        with _writing():
            try:
                written = template.blocks[self.block](template.new_context(context))
                return django_quotes(template.environment.concat(written))
            except Exception:  # the template's file and line in the traceback, as render gives
                template.environment.handle_exception()


class Engine(django_jinja2.Jinja2):
    """Django's Jinja2 engine, which also finds a block of a page by itself (`Part`)."""

    def get_template(self, template_name):
        name, _, block = template_name.partition("#")
        template = super().get_template(name)
        if block:
            if block not in template.template.blocks:
                raise TemplateDoesNotExist(template_name, backend=self)
            template.template = Part(template.template, block)
        return template


def environment(**options) -> Environment:
    env = Environment(**options)  # noqa: S701  # nosec B701: autoescape is on (Django's default)
    env.template_class = Template
    from accounts.templatetags.jinja_include import field  # it renders through this engine

    env.globals.update(url=url, static=static, htmx_script=htmx_script, field=field)
    env.filters.update(date=date, display=display, linebreaksbr=linebreaksbr,
                       pluralize=defaultfilters.pluralize,
                       truncatechars=truncatechars,
                       floatformat=floatformat)
    return env
