from django import forms

from accounts.forms import DateField, GovukFormMixin
from privacy.subject_access import WHOLE_RECORD

WHOLE_RECORD_CHOICE = "whole-record"


class StartRequestForm(GovukFormMixin, forms.Form):
    received_on = DateField(
        past_only=True, label="When did the request reach the council?",
        help_text="The reply is due one calendar month from this date. For example, 27 3 2026",
        error_messages={"required": "Enter the date the request reached the council"})


class WithholdForm(GovukFormMixin, forms.Form):
    """What to withhold from one record: the whole record or some of its fields, and why.
    Ticking nothing releases the record in full."""

    withhold = forms.MultipleChoiceField(
        label="Withhold", required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Withhold details about someone else, such as a neighbour or a relative.")
    reason = forms.CharField(
        label="Why it is withheld", max_length=200, required=False,
        help_text="The person is told this reason, but not what was withheld.")

    def __init__(self, *args, item: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["withhold"].choices = [(WHOLE_RECORD_CHOICE, "The whole record")] + [
            (field["name"], field["label"]) for field in item["fields"]]
        self.fields["withhold"].label = f"Withhold from {item['heading']}"
        self.fields["reason"].widget.attrs["class"] = "govuk-input"

    def clean(self):
        data = super().clean()
        if data.get("withhold") and not (data.get("reason") or "").strip():
            self.add_error("reason", "Enter why it is withheld")
        return data

    def withheld_fields(self) -> list[str]:
        """The redaction field names: only the whole record when that is ticked."""
        ticked = self.cleaned_data["withhold"]
        return [WHOLE_RECORD] if WHOLE_RECORD_CHOICE in ticked else ticked
