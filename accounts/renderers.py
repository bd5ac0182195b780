"""The project's form renderer: Django's templates (and ours, which override some) for every
widget, except the select, which is written out here.

Django renders each of a select's options through an include of its own template, about 20 µs
an option: a select of a team's 200 cards or 400 cases cost more than the rest of its page.
The markup written here is the same as Django's template writes, character for character
(`tests/accounts/test_renderers.py` compares them). So a project copy of Django's
`select.html`, `select_option.html` or `attrs.html` would not be used for selects: change the
markup here instead.
"""

from django.forms.renderers import TemplatesSetting
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

SELECT = "django/forms/widgets/select.html"


class Renderer(TemplatesSetting):
    def render(self, template_name, context, request=None):
        if template_name == SELECT:
            return select_html(context["widget"])
        return super().render(template_name, context, request)


def attrs_html(attrs: dict) -> str:
    """HTML attributes as Django's attrs.html writes them: True as a bare name, False left
    out, everything else escaped."""
    return "".join(
        f" {conditional_escape(name)}" if value is True
        else f' {conditional_escape(name)}="{conditional_escape(value)}"'
        for name, value in attrs.items() if value is not False)


def select_html(widget: dict) -> str:
    parts = [f'<select name="{conditional_escape(widget["name"])}"{attrs_html(widget["attrs"])}>']
    for group_name, options, _ in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        parts.extend(f'\n  <option value="{conditional_escape(option["value"])}"'
                     f'{attrs_html(option["attrs"])}>{conditional_escape(localize(option["label"]))}</option>\n'
                     for option in options)
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))  # noqa: S308 - every part escaped above  # nosec B308 B703
