from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()

RADIO = (
    '<div class="govuk-radios__item">'
    '<input class="govuk-radios__input" id="case{0}-progress-{1}" name="case{0}-progress" '
    'type="radio" value="{1}" data-key="{2}"{3}>'
    '<label class="govuk-label govuk-radios__label" for="case{0}-progress-{1}">{4} '
    '<span class="govuk-visually-hidden">(key {2})</span></label></div>'
)


@register.simple_tag
def progress_radios(key: str, progress: str | None, choices) -> str:
    """One person's "Is this working?" radios, keys 1 to 4. Written out here rather than in
    a template loop: they are most of the debrief page's markup, and the template engine
    took about a millisecond a person to render them."""
    # Safe: every part is escaped.
    return mark_safe("".join(  # noqa: S308  # nosec B308 B703
        RADIO.format(escape(key), escape(value), escape(number),
                     " checked" if value == progress else "", escape(label))
        for value, label, number in choices))
