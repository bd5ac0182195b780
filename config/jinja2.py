"""The second template engine: Jinja2, for the rows of the longest tables only.

Pages are Django templates. A page's long tables (a page of purchases, a case's timeline) are
rendered from Jinja2 templates (`templates/**/*.jinja`) through `{% jinja_include %}`
(accounts' template tags): Jinja2 compiles a template to Python, so a row costs a third to a
half of what Django's engine takes for the same markup, and those rows were most of each list
page's time (docs/performance.md). Here are the Django helpers the rows need, with the meaning
they have in Django templates: `url()`, and the `date`, `floatformat`, `linebreaksbr`,
`pluralize` and `truncatechars` filters (Jinja2's own filters are there too; `safe` is never
used). Output is escaped as Django templates escape it, character for character."""

from datetime import datetime

from django.template import defaultfilters
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.timezone import template_localtime
from jinja2 import Environment
from markupsafe import escape


def url(name: str, *args) -> str:
    return reverse(name, args=args)


def date(value, format: str = "") -> str:
    """Django's `date` filter, in local time as Django templates show it."""
    if isinstance(value, datetime):
        value = template_localtime(value)
    return defaultfilters.date(value, format)


def linebreaksbr(value) -> str:
    return defaultfilters.linebreaksbr(value, autoescape=True)


def escaped(value):
    """What `{{ value }}` writes: escaped as Django templates escape it (`&quot;` and `&#x27;`
    where Jinja2 would write `&#34;` and `&#39;`), so both engines' markup is the same.
    MarkupSafe's escaping, written in C, then those two swapped: a third of the time of
    Django's own `escape`, and it runs for every value of every row. A whole number (the
    ids in a row's markup, most of its values) needs no escaping."""
    if hasattr(value, "__html__") or type(value) is int:
        return value
    text = str(escape(value))
    if "&#3" in text:
        text = text.replace("&#34;", "&quot;").replace("&#39;", "&#x27;")
    return SafeString(text)  # nosec B703: escaped by MarkupSafe above


def environment(**options) -> Environment:
    env = Environment(finalize=escaped, **options)  # noqa: S701  # nosec B701: autoescape is on
    env.globals["url"] = url
    env.filters.update(date=date, linebreaksbr=linebreaksbr, pluralize=defaultfilters.pluralize,
                       truncatechars=defaultfilters.truncatechars,
                       floatformat=defaultfilters.floatformat)
    return env
