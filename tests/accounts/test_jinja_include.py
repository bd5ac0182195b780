"""The long tables' rows are Jinja2 templates (config/jinja2.py) inside Django pages: what they
write must be what the same markup in a Django template writes."""

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.template import engines

jinja, django = engines["jinja2"], engines["django"]
AWKWARD = "Tom's <b>\"shop\"</b> & café"


def both(jinja_source: str, django_source: str, **values) -> tuple[str, str]:
    return (jinja.from_string(jinja_source).render(values),
            django.from_string(django_source).render(values))


def test_values_are_escaped_character_for_character_as_django_does():
    written, expected = both("{{ name }}", "{{ name }}", name=AWKWARD)
    assert written == expected == "Tom&#x27;s &lt;b&gt;&quot;shop&quot;&lt;/b&gt; &amp; café"


def test_numbers_none_and_booleans_are_written_as_django_writes_them():
    written, expected = both("{{ n }} {{ none }} {{ yes }} {{ price }}",
                             "{{ n }} {{ none }} {{ yes }} {{ price }}",
                             n=42, none=None, yes=True, price=Decimal("12.50"))
    assert written == expected == "42 None True 12.50"


def test_whole_numbers_and_safe_values_are_written_as_markupsafe_writes_them():
    """Templates write a whole number or an already safe value without MarkupSafe's wrapping
    (config/jinja2.py `_escape`): the same characters, and anything else escaped by it."""
    from django.utils.functional import lazy
    from django.utils.safestring import SafeString
    from markupsafe import Markup, escape

    from config.jinja2 import _escape

    class Shown:
        def __str__(self):
            return AWKWARD

    values = [0, -7, 2**40, True, False, None, Decimal("1.50"), 2.5, AWKWARD,
              SafeString("<b>&amp;</b>"), Markup("<i>it's</i>"), Shown(),
              lazy(lambda: AWKWARD, str)()]
    for value in values:
        assert str(_escape(value)) == str(escape(value)), value
    assert jinja.from_string("{{ n }}|{{ s }}|{{ m }}").render(
        {"n": 7, "s": SafeString("<b>"), "m": Markup("<i>")}) == "7|<b>|<i>"


def test_dates_are_written_in_local_time_with_djangos_formats():
    late = datetime(2026, 7, 1, 23, 30, tzinfo=UTC)  # half past midnight in London (BST)
    written, expected = both('{{ at|date("j F Y, H:i") }} {{ day|date("j M Y") }}',
                             '{{ at|date:"j F Y, H:i" }} {{ day|date:"j M Y" }}',
                             at=late, day=date(2026, 11, 3))
    assert written == expected == "2 July 2026, 00:30 3 Nov 2026"


def test_pounds_and_pence_are_written_as_djangos_floatformat_writes_them():
    import random

    rng = random.Random(7)
    amounts = [Decimal(v) for v in ("0", "0.00", "-0.001", "-0.005", "0.005", "0.015", "0.125",
                                    "12345.675", "-1234.5", "1E+3", "999999.995", "-0.004",
                                    "1234567.1", "7")]
    amounts += [Decimal(rng.randrange(-10**9, 10**9)).scaleb(-rng.randrange(0, 5))
                for _ in range(500)]
    for amount in amounts:
        written, expected = both('{{ a|floatformat("2g") }} {{ a|floatformat(2) }}',
                                 '{{ a|floatformat:"2g" }} {{ a|floatformat:2 }}', a=amount)
        assert written == expected, amount
    assert both('{{ a|floatformat("2g") }}', "", a=Decimal("1234.5"))[0] == "1,234.50"


def test_text_is_truncated_as_djangos_truncatechars_truncates_it():
    """Text that fits is given back at once (config/jinja2.py `truncatechars`); the rest, and
    text not in composed form, as Django's filter writes it."""
    decomposed = "Cafe\u0301 " * 3  # "é" as e and a combining accent: Django composes it
    for text in ["", "short", "x" * 10, "x" * 11, AWKWARD, decomposed, "é" * 12, None, 42]:
        for length in (1, 10, 11, 160):
            written, expected = both(f"{{{{ s|truncatechars({length}) }}}}",
                                     f"{{{{ s|truncatechars:{length} }}}}", s=text)
            assert written == expected, (text, length)


def test_line_breaks_become_br_after_escaping():
    written, expected = both("{{ text|linebreaksbr }}", "{{ text|linebreaksbr }}",
                             text="Rang <Sam>\nNo answer")
    assert written == expected == "Rang &lt;Sam&gt;<br>No answer"
    from django.utils.safestring import mark_safe

    for text in (f"{AWKWARD}\r\nand\rthen\n\n", "", mark_safe("<i>kept</i>\nas is"), 42,
                 None):
        written, expected = both("{{ text|linebreaksbr }}", "{{ text|linebreaksbr }}",
                                 text=text)
        assert written == expected, text


def test_values_in_macros_blocks_and_joins_are_escaped_once_as_django_escapes_them():
    """Jinja2 escapes each value itself (autoescape), and the output's quotes are then written
    as Django writes them: the same wherever a value goes through a macro, a block, a join,
    the `e` filter, or is already safe (has __html__)."""
    from django.utils.safestring import mark_safe

    assert jinja.env.autoescape is True
    safe = mark_safe('<b title="it&#x27;s">ok</b>')
    cases = {
        '{% macro tag(v) %}<a title="{{ v }}">{{ v }}</a>{% endmacro %}{{ tag(s) }}':
            '<a title="{{ s }}">{{ s }}</a>',
        "{% set block %}<p>{{ s }}</p>{% endset %}{{ block }}": "<p>{{ s }}</p>",
        "{{ s|e }} {{ s|escape }}": "{{ s|escape }} {{ s|escape }}",
        '{{ safe ~ s }}|{{ s ~ "!" }}': "{{ safe }}{{ s }}|{{ s }}!",
        "{{ safe }} {{ [s, safe]|join(', ') }}": "{{ safe }} {{ s }}, {{ safe }}",
    }
    for jinja_source, django_source in cases.items():
        written, expected = both(jinja_source, django_source, s=AWKWARD, safe=safe)
        assert written == expected, jinja_source


def test_no_jinja_template_spells_a_quote_as_markupsafe_does():
    """The output's `&#34;` and `&#39;` are rewritten as Django's; the templates' own text
    must not hold them."""
    from django.conf import settings

    found = [path for path in (settings.BASE_DIR / "templates").rglob("*.jinja")
             if "&#34;" in path.read_text() or "&#39;" in path.read_text()]
    assert found == []


def test_a_fields_display_is_what_get_display_gives():
    from caseload.models import Contact
    from debriefs.models import Entry

    for model, field in ((Contact, "kind"), (Entry, "progress")):
        for value in [value for value, _ in model._meta.get_field(field).flatchoices] + [
                "no such choice", None]:
            instance = model(**{field: value})
            written = jinja.from_string(f'{{{{ instance|display("{field}") }}}}').render(
                {"instance": instance})
            expected = django.from_string(f"{{{{ instance.get_{field}_display }}}}").render(
                {"instance": instance})
            assert written == expected, value


def test_urls_are_djangos():
    written, expected = both("{{ url('purchases:purchase-detail', 42) }}",
                             "{% url 'purchases:purchase-detail' 42 %}")
    assert written == expected == "/purchases/42/"


def test_the_htmx_tags_are_django_htmxs_and_follow_the_static_address(settings):
    from django_htmx.jinja import htmx_script

    from config.jinja2 import htmx_script as kept

    written, expected = both("{{ htmx_script(version=4) }}", "{% load django_htmx %}"
                             "{% htmx_script version=4 %}")
    assert written == expected == htmx_script(version=4)
    assert '<script src="/static/django_htmx/htmx-4.min.js" defer></script>' in written
    settings.STATIC_URL = "/assets/"
    assert jinja.from_string("{{ htmx_script(version=4) }}").render() == htmx_script(version=4) \
        == '<script src="/assets/django_htmx/htmx-4.min.js" defer></script>'
    assert kept(version=4, nonce="n-1") == htmx_script(version=4, nonce="n-1")
    assert 'nonce="n-2"' in kept(version=4, nonce="n-2")  # each page's own nonce: not kept
    assert kept(version=4, extensions=["hx-sse"]) == htmx_script(version=4,
                                                                 extensions=["hx-sse"])


@pytest.mark.parametrize(("name", "args"), [
    ("purchases:purchase-detail", (7,)), ("purchases:purchase-detail", (123456789,)),
    ("caseload:case-detail", (0,)), ("caseload:contact-edit", (3,)), ("debriefs:entry-update", (3, 9)), ("home", ()),
])
def test_every_address_is_the_one_django_reverses(name, args):
    """A one-id address is worked out once and the id put in its place; the rest reverse."""
    from django.urls import reverse

    written = jinja.from_string("{{ url(name, *args) }}").render({"name": name, "args": args})
    assert written == reverse(name, args=args)
    assert jinja.from_string("{{ url(name, *args) }}").render({"name": name, "args": args}) == written


def test_an_address_keeps_the_script_prefix_it_is_served_under():
    from django.urls import set_script_prefix

    try:
        set_script_prefix("/liberated/")
        assert jinja.from_string("{{ url('caseload:case-detail', 5) }}").render() == (
            "/liberated/cases/5/")
    finally:
        set_script_prefix("/")
    assert jinja.from_string("{{ url('caseload:case-detail', 5) }}").render() == "/cases/5/"


TIMES = [datetime(2026, 7, 1, 23, 30, tzinfo=UTC), datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC),
         datetime(2026, 3, 29, 1, 0, 1, 123456, tzinfo=UTC), datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
         datetime(2026, 10, 25, 1, 30, tzinfo=UTC), datetime(999, 12, 31, 23, 59, tzinfo=UTC),
         datetime(2027, 1, 4, 9, 5, 7, tzinfo=UTC)]


@pytest.mark.parametrize("format", ["j F Y, H:i", "c", "H:i", "H:i:s", "D j M y, G:i",
                                    "l d/m/Y n-j H.i.s", "j F Y", "N j, Y, P", "r", ""])
def test_times_are_written_as_django_writes_them_in_every_format(format):
    for moment in TIMES:
        written, expected = both(f'{{{{ at|date("{format}") }}}}', f'{{{{ at|date:"{format}" }}}}',
                                 at=moment)
        assert written == expected, moment


def test_times_are_written_in_the_zone_active_for_the_template():
    """The time zone is read once per template (config/jinja2.py `_where`): the one active
    when it is written, as Django reads it for each value; a time without a zone is left as
    it is."""
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    source = ('{{ at|date("j F Y, H:i") }} {{ at|date("D j M") }} {{ day|date("j F Y") }} '
              '{{ naive|date("j F Y, H:i") }}')
    values = {"at": TIMES[0], "day": date(2026, 7, 1), "naive": datetime(2026, 7, 1, 9, 5)}
    with timezone.override(ZoneInfo("America/New_York")):
        written, expected = both(source, source.replace("|date(", "|date:").replace(")", ""),
                                 **values)
    assert written == expected == "1 July 2026, 19:30 Wed 1 Jul 1 July 2026 1 July 2026, 09:05"
    assert both(source, source.replace("|date(", "|date:").replace(")", ""), **values)[0] == (
        "2 July 2026, 00:30 Thu 2 Jul 1 July 2026 1 July 2026, 09:05")


def test_an_imported_macro_writes_times_in_the_zone_of_each_template_it_is_written_in():
    """A macro's module is imported once and kept (entry_status.jinja's, say): the time zone is
    still read for each template written, not kept from the first."""
    from types import SimpleNamespace
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    entry = SimpleNamespace(version=3, updated_at=TIMES[0])
    template = jinja.get_template("debriefs/includes/entry_answer.jinja")
    written = {}
    for zone in ("Europe/London", "America/New_York", "Asia/Tokyo"):
        with timezone.override(ZoneInfo(zone)):
            written[zone] = template.render({"case": SimpleNamespace(pk=7), "entry": entry,
                                             "saved": True})
    assert "Saved at 00:30:00" in written["Europe/London"]
    assert "Saved at 19:30:00" in written["America/New_York"]
    assert "Saved at 08:30:00" in written["Asia/Tokyo"]


def test_a_date_written_outside_a_template_reads_the_zone_each_time():
    """Only a template being written keeps what it read (config/jinja2.py `_writing`)."""
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from config.jinja2 import date

    with timezone.override(ZoneInfo("Europe/London")):
        assert date(TIMES[0], "H:i") == "00:30"
    with timezone.override(ZoneInfo("America/New_York")):
        assert date(TIMES[0], "H:i") == "19:30"


def test_text_is_escaped_by_markupsafes_c_function():
    """`escape_text` is MarkupSafe's C speedup (its private `_escape_inner`): if a MarkupSafe
    release renames it, the fallback is correct but slower, and this says so."""
    import markupsafe

    from accounts.html import escape_text

    assert escape_text is markupsafe._escape_inner
    assert escape_text(AWKWARD) == str(markupsafe.escape(AWKWARD))


def test_a_time_shown_as_a_day_is_the_day_it_is_in_local_time():
    late = datetime(2026, 7, 1, 23, 30, tzinfo=UTC)  # 2 July in London (BST)
    written, expected = both('{{ at|date("j M Y") }} {{ at|date("D j M") }} {{ at|date("j M, H:i") }}',
                             '{{ at|date:"j M Y" }} {{ at|date:"D j M" }} {{ at|date:"j M, H:i" }}',
                             at=late)
    assert written == expected == "2 Jul 2026 Thu 2 Jul 2 Jul, 00:30"


def test_a_day_is_written_the_same_each_time_it_is_asked_for():
    days = [date(2026, 9, d) for d in (1, 2, 1, 1)]
    written, expected = both('{% for d in days %}{{ d|date("j M Y") }}|{{ d|date("j F") }};'
                             '{% endfor %}',
                             '{% for d in days %}{{ d|date:"j M Y" }}|{{ d|date:"j F" }};'
                             '{% endfor %}', days=days)
    assert written == expected == ("1 Sep 2026|1 September;2 Sep 2026|2 September;"
                                   "1 Sep 2026|1 September;1 Sep 2026|1 September;")


def test_an_include_sees_only_the_values_it_is_given(rf):
    from django.template import Context
    from jinja2 import UndefinedError

    page = django.from_string('{% load jinja_include %}'
                              '{% jinja_include "purchases/includes/status_tags.jinja" %}')
    # No `purchase` given, though the page has one: it is not read from the page, and its
    # absence fails loudly rather than writing an empty status.
    with pytest.raises(UndefinedError, match="'purchase' is undefined"):
        page.template.render(Context({"purchase": {"voided": True}, "request": rf.get("/")}))
    given = django.from_string('{% load jinja_include %}'
                               '{% jinja_include "purchases/includes/status_tags.jinja" '
                               'purchase=purchase %}')
    assert "Voided" in given.template.render(Context({"purchase": {"voided": True},
                                                       "request": rf.get("/")}))


def test_no_jinja_template_marks_anything_safe():
    """Every value is escaped on its way out; nothing may opt out with `|safe`."""
    from pathlib import Path

    from django.conf import settings

    found = [path.name for path in (Path(settings.BASE_DIR) / "templates").rglob("*.jinja")
             if re.search(r"\|\s*safe\b|Markup|autoescape\s+false", path.read_text())]
    assert len(list((Path(settings.BASE_DIR) / "templates").rglob("*.jinja"))) >= 10
    assert found == []
