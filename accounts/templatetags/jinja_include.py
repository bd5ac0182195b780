from django import template
from django.template import engines
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def jinja_include(template_name: str, **values) -> str:
    """`{% jinja_include "purchases/includes/purchase_rows.jinja" purchases=page.rows %}`: a
    part of the page (the layout, a long table) rendered by the Jinja2 engine
    (config/jinja2.py) with only the values given. Forms in it take `csrf_token=csrf_token`,
    the page's own token."""
    rendered = engines["jinja2"].get_template(template_name).template.render(values)
    return mark_safe(rendered)  # noqa: S308  # nosec B308 B703: Jinja2 escaped what it wrote


@register.simple_tag
def field(bound_field, **options) -> str:
    """`{% field form.name small=True %}`: one form field as a GOV.UK form group, written by
    includes/field.jinja (its options are listed there). A form's fields were a third of a
    form page's time through Django's engine."""
    return jinja_include("includes/field.jinja", field=bound_field, **options)
