"""Each form field as a GOV.UK form group ({% field %}, includes/field.jinja): label or legend,
hint, error message and the ids that tie them together, as the Django template it replaced
wrote them (compared when it was replaced; white space aside)."""

import re

from django import forms
from django.template import engines

from accounts.forms import DateField, GovukFormMixin


class Sample(GovukFormMixin, forms.Form):
    name = forms.CharField(label="Name", help_text="As they say it")
    choice = forms.ChoiceField(label="Is it working?", widget=forms.RadioSelect,
                               choices=[("", "---"), ("yes", "Yes"), ("no", "No <b>")])
    agree = forms.BooleanField(label="I agree", required=False, help_text="Tick to agree")
    when = DateField(label="When", help_text="For example, 1 6 2026")


TEXT_WITH_HINT_AND_ERROR = (
    '<div class="govuk-form-group govuk-form-group--error">'
    '<label class="govuk-label" for="id_name">Name</label>'
    '<div id="id_name_helptext" class="govuk-hint">As they say it</div>'
    '<p id="id_name_error" class="govuk-error-message"><span class="govuk-visually-hidden">'
    'Error:</span> This field is required.</p>'
    '<input type="text" name="name" class="govuk-input govuk-input--error" required'
    ' aria-invalid="true" aria-describedby="id_name_helptext id_name_error" id="id_name"></div>'
)
RADIOS_INLINE_SMALL_WITH_ERROR = (
    '<div class="govuk-form-group govuk-form-group--error">'
    '<fieldset class="govuk-fieldset" aria-describedby="id_choice_error">'
    '<legend class="govuk-fieldset__legend"> Is it working? </legend>'
    '<p id="id_choice_error" class="govuk-error-message"><span class="govuk-visually-hidden">'
    'Error:</span> Select a valid choice. maybe is not one of the available choices.</p>'
    '<div class="govuk-radios govuk-radios--inline govuk-radios--small"'
    ' data-module="govuk-radios"><div class="govuk-radios__item">'
    '<input class="govuk-radios__input" id="id_choice_1" name="choice" type="radio"'
    ' value="yes"><label class="govuk-label govuk-radios__label" for="id_choice_1">Yes</label>'
    '</div><div class="govuk-radios__item">'
    '<input class="govuk-radios__input" id="id_choice_2" name="choice" type="radio" value="no">'
    '<label class="govuk-label govuk-radios__label" for="id_choice_2">No &lt;b&gt;</label>'
    '</div></div></fieldset></div>'
)
CHECKBOX_WITH_HINT = (
    '<div class="govuk-form-group">'
    '<div class="govuk-checkboxes" data-module="govuk-checkboxes">'
    '<div class="govuk-checkboxes__item">'
    '<input type="checkbox" name="agree" class="govuk-checkboxes__input"'
    ' aria-describedby="id_agree_helptext" id="id_agree">'
    '<label class="govuk-label govuk-checkboxes__label" for="id_agree">I agree</label>'
    '<div id="id_agree_helptext" class="govuk-hint govuk-checkboxes__hint">Tick to agree</div>'
    '</div></div></div>'
)
DATE_WITH_HINT_AND_ERROR = (
    '<div class="govuk-form-group govuk-form-group--error">'
    '<fieldset class="govuk-fieldset" role="group" aria-describedby="id_when_helptext'
    ' id_when_error"><legend class="govuk-fieldset__legend govuk-label--m"> When </legend>'
    '<div id="id_when_helptext" class="govuk-hint">For example, 1 6 2026</div>'
    '<p id="id_when_error" class="govuk-error-message"><span class="govuk-visually-hidden">'
    'Error:</span> When must be a real date</p><div class="govuk-date-input">'
    '<div class="govuk-date-input__item"><div class="govuk-form-group">'
    '<label class="govuk-label govuk-date-input__label" for="id_when_day">Day</label>'
    '<input type="text" name="when_day" id="id_when_day" value="31" class="govuk-input'
    ' govuk-date-input__input govuk-input--width-2 govuk-input--error" inputmode="numeric"'
    ' aria-invalid="true"></div></div><div class="govuk-date-input__item">'
    '<div class="govuk-form-group">'
    '<label class="govuk-label govuk-date-input__label" for="id_when_month">Month</label>'
    '<input type="text" name="when_month" id="id_when_month" value="2" class="govuk-input'
    ' govuk-date-input__input govuk-input--width-2 govuk-input--error" inputmode="numeric"'
    ' aria-invalid="true"></div></div><div class="govuk-date-input__item">'
    '<div class="govuk-form-group">'
    '<label class="govuk-label govuk-date-input__label" for="id_when_year">Year</label>'
    '<input type="text" name="when_year" id="id_when_year" value="2026" class="govuk-input'
    ' govuk-date-input__input govuk-input--width-4 govuk-input--error" inputmode="numeric"'
    ' aria-invalid="true"></div></div></div></fieldset></div>'
)


def written(source: str, form) -> str:
    html = engines["django"].from_string(source).render({"form": form})
    return re.sub(r"\s+", " ", html).replace("> <", "><").strip()


def test_fields_are_written_as_govuk_form_groups_with_their_hints_and_errors():
    form = Sample({"name": "", "choice": "maybe", "when_day": "31", "when_month": "2",
                   "when_year": "2026"})
    assert not form.is_valid()
    assert written("{% field form.name %}", form) == TEXT_WITH_HINT_AND_ERROR
    assert written("{% field form.choice inline=True small=True %}", form) == (
        RADIOS_INLINE_SMALL_WITH_ERROR)
    assert written("{% field form.agree %}", form) == CHECKBOX_WITH_HINT
    assert written('{% field form.when label_class="govuk-label--m" %}', form) == (
        DATE_WITH_HINT_AND_ERROR)


def test_an_optional_field_says_so_and_a_hidden_one_is_only_its_input():
    class Optional(GovukFormMixin, forms.Form):
        note = forms.CharField(label="Note", required=False)
        seen = forms.CharField(widget=forms.HiddenInput, initial="x")

    form = Optional()
    assert '<label class="govuk-label" for="id_note">Note (optional)</label>' in written(
        "{% field form.note %}", form)
    assert written("{% field form.seen %}", form) == (
        '<input type="hidden" name="seen" value="x" id="id_seen">')


def test_a_list_of_checkboxes_keeps_every_choice_and_what_was_ticked():
    class Several(GovukFormMixin, forms.Form):
        needs = forms.MultipleChoiceField(
            label="Needs", widget=forms.CheckboxSelectMultiple,
            choices=[("", "None of these"), ("food", "Food"), ("heat", "Heat & light")])

    html = written("{% field form.needs small=True inline=True %}",
                   Several({"needs": ["heat"]}))
    assert html.startswith('<div class="govuk-form-group"><fieldset class="govuk-fieldset">')
    assert ('<div class="govuk-checkboxes govuk-checkboxes--small" '
            'data-module="govuk-checkboxes">') in html  # checkboxes are never inline
    assert html.count('type="checkbox"') == 3  # an empty value is a choice here, unlike radios
    assert ('<input class="govuk-checkboxes__input" id="id_needs_2" name="needs" '
            'type="checkbox" value="heat" checked>') in html
    assert ('<label class="govuk-label govuk-checkboxes__label" for="id_needs_2">'
            'Heat &amp; light</label>') in html
