"""The project's form renderer. Selects, inputs and text areas are written out here; a widget
whose template is Jinja2 (`.jinja`, such as the GOV.UK date input) is rendered by Jinja2
(config/jinja2.py); every other widget by Django's templates (and ours, which override some).

Django renders a widget through two or three includes of its own templates: about 0.2 ms an
input, and 20 µs a select's option, so a select of a team's 200 cards, or a form's dozen
fields, cost more than the rest of its page. The markup written here is the same as Django's
templates write, character for character (`tests/accounts/test_renderers.py` compares them).
So a project copy of Django's `select.html`, `select_option.html`, `input.html` (or a template
including it, such as `text.html`), `textarea.html` or `attrs.html` would not be used for
those widgets: change the markup here instead.
"""

from django.forms.renderers import TemplatesSetting
from django.template import engines
from django.utils.formats import localize
from django.utils.safestring import mark_safe

from accounts.html import escaped

SELECT = "django/forms/widgets/select.html"
TEXTAREA = "django/forms/widgets/textarea.html"
# Django's widget templates that are only `{% include "django/forms/widgets/input.html" %}`.
INPUTS = {f"django/forms/widgets/{kind}.html" for kind in (
    "checkbox", "color", "date", "datetime", "email", "file", "hidden", "number", "password",
    "search", "tel", "text", "time", "url")}


class Renderer(TemplatesSetting):
    def render(self, template_name, context, request=None):
        if template_name == SELECT:
            return select_html(context["widget"])
        if template_name in INPUTS:
            return input_html(context["widget"])
        if template_name == TEXTAREA:
            return textarea_html(context["widget"])
        if template_name.endswith(".jinja"):
            rendered = engines["jinja2"].get_template(template_name).template.render(context)
            return mark_safe(rendered)  # noqa: S308  # nosec B308 B703: Jinja2 escaped it
        return super().render(template_name, context, request)


def attrs_html(attrs: dict) -> str:
    """HTML attributes as Django's attrs.html writes them: True as a bare name, False left
    out, everything else escaped."""
    return "".join(
        f" {escaped(name)}" if value is True
        else f' {escaped(name)}="{escaped(value)}"'
        for name, value in attrs.items() if value is not False)


def input_html(widget: dict) -> str:
    value = "" if widget["value"] is None else f' value="{escaped(widget["value"])}"'
    return mark_safe(  # noqa: S308  # nosec B308 B703: every part escaped
        f'<input type="{escaped(widget["type"])}" name="{escaped(widget["name"])}"{value}'
        f'{attrs_html(widget["attrs"])}>')


def textarea_html(widget: dict) -> str:
    value = escaped(widget["value"]) if widget["value"] else ""
    return mark_safe(  # noqa: S308  # nosec B308 B703: every part escaped
        f'<textarea name="{escaped(widget["name"])}"{attrs_html(widget["attrs"])}>\n'
        f'{value}</textarea>')


def select_html(widget: dict) -> str:
    """A select from Django's context for it (its options built by `ChoiceWidget.optgroups`)."""
    return select_markup(widget["name"], widget["attrs"], (
        (group_name, ((option["value"], option["label"], attrs_html(option["attrs"]))
                      for option in options))
        for group_name, options, _ in widget["optgroups"]))


def select_markup(name: str, attrs: dict, groups) -> str:
    """A select as Django's select.html writes it: `groups` are (group name or None, options),
    each option (value, label, its attributes as markup: " selected" or "")."""
    parts = [f'<select name="{escaped(name)}"{attrs_html(attrs)}>']
    for group_name, options in groups:
        if group_name:
            parts.append(f'\n  <optgroup label="{escaped(group_name)}">')
        parts.extend(f'\n  <option value="{escaped(value)}"{option_attrs}>'
                     f'{escaped(localize(label))}</option>\n'
                     for value, label, option_attrs in options)
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))  # noqa: S308 - every part escaped above  # nosec B308 B703
