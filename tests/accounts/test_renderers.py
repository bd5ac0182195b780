"""Selects, inputs and text areas are written out directly by the project's form renderer: the
same markup as Django's own templates, character for character, whatever they hold."""

import datetime

import pytest
from django import forms
from django.forms.renderers import TemplatesSetting

from accounts.forms import GovukFormMixin, QuickSelect
from accounts.models import Team
from accounts.renderers import Renderer

GROUPED = [("", "Any"), ("Fruit", [("apple", "Apple & <pear>"), ("plum", "Plum \"Victoria\"")]),
           ("veg", "Veg"), (3, "Three"), ("big", 12345.5), ("day", datetime.date(2026, 11, 23)),
           ("<b>", "<script>alert(1)</script>")]


class Sample(GovukFormMixin, forms.Form):
    grouped = forms.ChoiceField(choices=GROUPED, required=False)
    several = forms.MultipleChoiceField(choices=GROUPED, required=False,
                                        widget=forms.SelectMultiple)
    yes_no = forms.NullBooleanField(required=False)
    attrs = forms.ChoiceField(choices=[("a", "A")], widget=forms.Select(attrs={
        "aria-describedby": 'hint "x"', "disabled": True, "data-off": False}))


def both(data, name) -> tuple[str, str]:
    """The field as the project writes it (a plain select as a QuickSelect, any other through
    our renderer), and as Django's Select and templates do. Plain Django's select is also
    compared through our renderer."""
    ours = Sample(data, renderer=Renderer())
    written = []
    for renderer in (Renderer(), TemplatesSetting()):
        form = Sample(data, renderer=renderer)
        for field in form.fields.values():
            if type(field.widget) is QuickSelect:
                field.widget.__class__ = forms.Select  # as Django's own
        form.is_valid()
        written.append(str(form[name]))
    ours.is_valid()
    assert written[0] == written[1]
    return str(ours[name]), written[1]


def test_the_projects_forms_write_plain_selects_directly():
    form = Sample()
    assert type(form.fields["grouped"].widget) is QuickSelect
    assert type(form.fields["several"].widget) is forms.SelectMultiple  # through the renderer
    assert str(form["grouped"]).startswith('<select name="grouped" class="govuk-select" ')
    wrong = Sample({"grouped": "nope"})
    assert not wrong.is_valid()
    assert 'class="govuk-select govuk-select--error"' in str(wrong["grouped"])


@pytest.mark.parametrize("data", [None, {"grouped": "plum", "several": ["apple", "3"],
                                         "yes_no": "true", "attrs": "a"},
                                  {"grouped": "<script>", "several": []}])
@pytest.mark.parametrize("name", ["grouped", "several", "yes_no", "attrs"])
def test_a_select_is_written_as_djangos_template_writes_it(data, name):
    ours, djangos = both(data, name)
    assert ours == djangos
    assert "<option" in ours and "<script>" not in ours


def test_option_values_and_labels_are_escaped():
    ours, djangos = both(None, "grouped")
    assert ours == djangos
    assert '<option value="&lt;b&gt;">&lt;script&gt;alert(1)&lt;/script&gt;</option>' in ours


@pytest.mark.django_db
def test_a_model_choice_select_is_the_same_too():
    Team.objects.create(name="Riverside & <Hill>", case_prefix="RIV")
    field = forms.ModelChoiceField(Team.objects.all(), empty_label="All teams")
    widget = field.widget
    ours = widget.render("team", None, renderer=Renderer())
    assert ours == widget.render("team", None, renderer=TemplatesSetting())
    assert "Riverside &amp; &lt;Hill&gt;" in ours
    team = Team.objects.create(name="Quayside", case_prefix="QUA")
    djangos = widget.render("team", team.pk, renderer=TemplatesSetting())
    widget.__class__ = QuickSelect
    assert widget.render("team", team.pk) == djangos
    assert f'<option value="{team.pk}" selected>Quayside</option>' in djangos


class Inputs(GovukFormMixin, forms.Form):
    text = forms.CharField(required=False, widget=forms.TextInput(attrs={
        "autocomplete": "off", "spellcheck": False, "data-x": 'say "hi" & <go>'}))
    number = forms.IntegerField(required=False)
    email = forms.EmailField(required=False)
    tick = forms.BooleanField(required=False)
    secret = forms.CharField(required=False, widget=forms.PasswordInput(render_value=True))
    hidden = forms.CharField(required=False, widget=forms.HiddenInput)
    upload = forms.FileField(required=False)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))


@pytest.mark.parametrize("data", [
    None, {},
    {"text": "Tom's <b>\"shop\"</b> & café", "number": "12", "email": "a@b.c", "tick": "on",
     "secret": "p&ss", "hidden": "<x>", "note": "Line one\n<script>alert(1)</script>"},
    {"number": "not a number", "email": "nope", "note": "\nstarts on a new line"},
])
@pytest.mark.parametrize("name", list(Inputs.base_fields))
def test_inputs_and_text_areas_are_written_as_djangos_templates_write_them(data, name):
    written = []
    for renderer in (Renderer(), TemplatesSetting()):
        form = Inputs(data, renderer=renderer, initial={"number": 7})
        form.is_valid()
        written.append(str(form[name]))
    assert written[0] == written[1]
    assert "<script>" not in written[0] and "<b>" not in written[0]


def test_forms_use_the_projects_renderer():
    from django.forms.renderers import get_default_renderer

    assert isinstance(get_default_renderer(), Renderer)
