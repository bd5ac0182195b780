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


def test_dates_are_written_in_local_time_with_djangos_formats():
    late = datetime(2026, 7, 1, 23, 30, tzinfo=UTC)  # half past midnight in London (BST)
    written, expected = both('{{ at|date("j F Y, H:i") }} {{ day|date("j M Y") }}',
                             '{{ at|date:"j F Y, H:i" }} {{ day|date:"j M Y" }}',
                             at=late, day=date(2026, 11, 3))
    assert written == expected == "2 July 2026, 00:30 3 Nov 2026"


def test_line_breaks_become_br_after_escaping():
    written, expected = both("{{ text|linebreaksbr }}", "{{ text|linebreaksbr }}",
                             text="Rang <Sam>\nNo answer")
    assert written == expected == "Rang &lt;Sam&gt;<br>No answer"


def test_urls_are_djangos():
    written, expected = both("{{ url('purchases:purchase-detail', 42) }}",
                             "{% url 'purchases:purchase-detail' 42 %}")
    assert written == expected == "/purchases/42/"


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
