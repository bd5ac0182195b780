from django import template
from django.template import engines
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def jinja_include(template_name: str, **values) -> str:
    """`{% jinja_include "purchases/includes/purchase_rows.jinja" purchases=page.rows %}`: a
    long table, rendered by the Jinja2 engine (config/jinja2.py) with only the values given.
    Forms in it take `csrf_token=csrf_token`, the page's own token."""
    rendered = engines["jinja2"].get_template(template_name).template.render(values)
    return mark_safe(rendered)  # noqa: S308  # nosec B308 B703: Jinja2 escaped what it wrote
