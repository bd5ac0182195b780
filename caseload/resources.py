"""Importing an existing caseload from a spreadsheet saved as CSV, for example the council-tax
recovery list of people about to receive a bailiff visit.

Each row opens a case with its main person and, when an amount is given, a council-tax debt.
The import is all or nothing: every row is checked, and if any row is wrong nothing is
written and every wrong row is reported with its spreadsheet row number (the header is row 1,
the first person row 2) and the columns at fault.

Values are stored exactly as typed: text that a spreadsheet would run as a formula
(`=SUM(A1:A2)`) is kept as text and never evaluated here.
"""

import csv
import io
import logging
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from import_export import fields, resources, widgets
from tablib import Dataset

from accounts.models import Membership, Team
from caseload.models import ONE_LINE, Case, Debt, Person

logger = logging.getLogger(__name__)

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    hint: str
    example: str


SOURCES = ", ".join(Case.Source.values)

COLUMNS = [
    Column("team", True, "The team's name or the letters that start its case references.",
           "Riverside"),
    Column("lead", True, "Username of the lead caseworker: an active member of that team.",
           "casey"),
    Column("name", True, "The person's full name.", "Joanne Robson"),
    Column("preferred_name", False, "What they like to be called.", "Jo"),
    Column("date_of_birth", False, "DD/MM/YYYY, a real date in the past.", "27/03/1985"),
    Column("phone", False, "A UK or international number.", "07700 900123"),
    Column("email", False, "An email address.", "jo@example.org"),
    Column("address", False, "Their address, up to 500 characters.",
           "12 Mill Lane, Riverside RS1 2AB"),
    Column("source", False, f"How they came to us: one of {SOURCES}. "
           "Left blank, it is recovery_list.", "recovery_list"),
    Column("council_tax_debt", False, "Council tax owed in pounds, for example 1234.50. Adds "
           "a council-tax debt; whether they can't or won't pay is left as not known.",
           "1234.50"),
    Column("notes", False, "Notes about the council-tax debt (needs council_tax_debt).",
           "Liability order March"),
]
COLUMN_NAMES = [c.name for c in COLUMNS]
REQUIRED_COLUMNS = [c.name for c in COLUMNS if c.required]


class ImportFileError(Exception):
    """The file as a whole cannot be read as a caseload (not a row's problem)."""


def template_csv() -> str:
    """A CSV with the columns and one example row, to fill in."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMN_NAMES)
    writer.writerow([c.example for c in COLUMNS])
    return "\ufeff" + out.getvalue()


def _header(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def read_csv(text: str) -> Dataset:
    """The rows of a caseload CSV as a Dataset, with headers normalised (`Date of birth` reads
    as `date_of_birth`). Raises ImportFileError for a file that is not a caseload at all."""
    return read_csv_rows(text, required=REQUIRED_COLUMNS, max_rows=MAX_ROWS,
                         rows_name="rows of people",
                         missing_hint=". Download the template to see the columns")


def read_csv_rows(text: str, *, required: list[str], max_rows: int, rows_name: str = "rows",
                  missing_hint: str = "") -> Dataset:
    """Any CSV the service imports (a caseload, a card statement) as a Dataset: headers
    normalised, the required columns present and named once, at most `max_rows` rows, no row
    wider than its header. Raises ImportFileError, with a message for a person, otherwise."""
    try:
        rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    except csv.Error as error:
        raise ImportFileError(f"The file could not be read as CSV ({error})") from error
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    if not rows:
        raise ImportFileError("The selected file is empty")
    headers = [_header(h) for h in rows[0]]
    missing = [name for name in required if name not in headers]
    if missing:
        raise ImportFileError("The first row must name the columns: it has no "
                              + ", ".join(missing) + " column" + missing_hint)
    repeated = sorted({h for h in headers if h and headers.count(h) > 1})
    if repeated:
        raise ImportFileError("The first row names a column twice: " + ", ".join(repeated))
    if len(rows) - 1 > max_rows:
        raise ImportFileError(f"The file has {len(rows) - 1:,} {rows_name}: import at most "
                              f"{max_rows:,} at a time")
    dataset = Dataset(headers=headers)
    width = len(headers)
    for number, row in enumerate(rows[1:], start=2):
        if any(cell.strip() for cell in row[width:]):
            raise ImportFileError(f"Row {number} has more cells than the first row has column "
                                  "names")
        dataset.append((row + [""] * width)[:width])
    return dataset


def decode_csv_upload(upload, *, max_bytes: int) -> str:
    """The text of an uploaded CSV file, or a ValidationError for the file field: not a CSV,
    too big, or in an encoding that is neither UTF-8 nor Excel's Windows one."""
    if not upload.name.lower().endswith(".csv"):
        raise ValidationError("The selected file must be a CSV")
    if upload.size > max_bytes:
        raise ValidationError(f"The selected file must be smaller than {max_bytes // 2**20} MB")
    data = upload.read()
    if b"\x00" in data:
        raise ValidationError("The selected file must be a CSV")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:  # Excel on Windows saves "CSV" in its own encoding
            return data.decode("cp1252")
        except UnicodeDecodeError:
            raise ValidationError("The selected file must be a CSV saved as UTF-8") from None


def ignored_columns(dataset: Dataset) -> list[str]:
    return [h for h in dataset.headers if h and h not in COLUMN_NAMES]


# Widgets: each turns one cell into a value or raises ValueError with a message for a person.

class TextWidget(widgets.CharWidget):
    def __init__(self, max_length: int, required: str = ""):
        super().__init__()
        self.max_length, self.required = max_length, required

    def clean(self, value, row=None, **kwargs):
        text = (value or "").strip()
        if not text and self.required:
            raise ValueError(self.required)
        if len(text) > self.max_length:
            raise ValueError(f"Must be {self.max_length} characters or fewer (this has "
                             f"{len(text):,})")
        return text


class DateOfBirthWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = (value or "").strip()
        if not text:
            return None
        match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
        if not match:
            raise ValueError("Date of birth must be written as DD/MM/YYYY, like 27/03/1985")
        day, month, year = (int(part) for part in match.groups())
        try:
            born = date(year, month, day)
        except ValueError:
            raise ValueError("Date of birth must be a real date") from None
        if born >= timezone.localdate():
            raise ValueError("Date of birth must be in the past")
        if year < 1900:
            raise ValueError("Date of birth must be after 1900")
        return born


class PhoneWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = (value or "").strip()
        if not text:
            return ""
        digits = re.sub(r"\D", "", text)
        if not re.fullmatch(r"\+?[\d\s().\-]+", text) or not 7 <= len(digits) <= 15:
            raise ValueError("Enter a phone number, like 01632 960 001 or +44 7700 900 982")
        return text


class SourceWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = (value or "").strip().lower()
        if not text:
            return Case.Source.RECOVERY_LIST
        for source in Case.Source:
            if text in (source.value, source.label.lower()):
                return source.value
        raise ValueError(f"Source must be one of {SOURCES}")


class PoundsWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = re.sub(r"[£,\s]", "", value or "")
        if not text:
            return None
        if text.startswith("-"):
            raise ValueError("Council tax debt must be £0 or more")
        if re.fullmatch(r"\d+\.\d{3,}", text):
            raise ValueError("Council tax debt can have at most 2 decimal places (pence)")
        if not re.fullmatch(r"\d+(\.\d{1,2})?", text):
            raise ValueError("Council tax debt must be an amount in pounds, like 1234.50")
        amount = Decimal(text)
        if amount >= Decimal("100000000"):
            raise ValueError("Council tax debt must be less than £100,000,000")
        return amount


class TeamWidget(widgets.Widget):
    def __init__(self, teams):
        super().__init__()
        self.teams = {}
        for team in teams:
            self.teams[team.name.lower()] = self.teams[team.case_prefix.lower()] = team
        self.choices = ", ".join(f"{t.name} ({t.case_prefix})" for t in teams) or "none"

    def clean(self, value, row=None, **kwargs):
        text = (value or "").strip()
        if not text:
            raise ValueError("Enter the team's name or case prefix")
        if text.lower() not in self.teams:
            raise ValueError(f"No team called {text} that you can import to. Teams: "
                             f"{self.choices}")
        return self.teams[text.lower()]


@dataclass
class CreatedRow:
    row: int
    person: Person
    case: Case
    debt: Debt | None


class CaseImportResource(resources.ModelResource):
    """One row: a case, its main person and an optional council-tax debt. The rows are
    Person instances carrying the case's team, lead and source until they are saved."""

    team = fields.Field(attribute="team", column_name="team")
    lead = fields.Field(attribute="lead", column_name="lead",
                        widget=TextWidget(150, "Enter the lead caseworker's username"))
    name = fields.Field(attribute="name", column_name="name",
                        widget=TextWidget(ONE_LINE, "Enter the person's name"))
    preferred_name = fields.Field(attribute="preferred_name", column_name="preferred_name",
                                  widget=TextWidget(ONE_LINE))
    date_of_birth = fields.Field(attribute="date_of_birth", column_name="date_of_birth",
                                 widget=DateOfBirthWidget())
    phone = fields.Field(attribute="phone", column_name="phone", widget=PhoneWidget())
    email = fields.Field(attribute="email", column_name="email", widget=TextWidget(ONE_LINE))
    address = fields.Field(attribute="address", column_name="address", widget=TextWidget(500))
    source = fields.Field(attribute="source", column_name="source", widget=SourceWidget())
    council_tax_debt = fields.Field(attribute="council_tax_debt", column_name="council_tax_debt",
                                    widget=PoundsWidget())
    notes = fields.Field(attribute="notes", column_name="notes", widget=TextWidget(5000))

    class Meta:
        model = Person
        fields = COLUMN_NAMES
        import_order = COLUMN_NAMES
        force_init_instance = True  # every row is a new case; nothing is matched or updated
        clean_model_instances = True
        skip_diff = True
        use_transactions = True

    def __init__(self, *, user):
        """Loads the teams within the importer's reach and their active members: two
        queries, whatever the number of rows."""
        super().__init__()
        if user.has_perm("accounts.see_all_teams") or user.has_perm("accounts.manage_service"):
            teams = list(Team.objects.all())
        else:
            teams = list(user.teams.all())
        self.fields["team"].widget = TeamWidget(teams)
        self.members = {
            (m.team_id, m.user.username.lower()): m.user
            for m in Membership.objects.filter(team__in=teams, user__is_active=True)
            .select_related("user")
        }
        self.created: list[CreatedRow] = []

    def init_instance(self, row=None):
        """Defaults for the optional columns, which a file may leave out altogether."""
        instance = Person(relationship=Person.Relationship.MAIN)
        instance.source, instance.council_tax_debt, instance.notes = (
            Case.Source.RECOVERY_LIST, None, "")
        return instance

    def import_instance(self, instance, row, **kwargs):
        """Each cell through its widget, then the checks across cells: the lead must be in
        the row's team, and notes belong to a debt."""
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if "team" not in errors and "lead" not in errors:
            user = self.members.get((instance.team.pk, instance.lead.lower()))
            if user is None:
                errors["lead"] = [ValidationError(
                    f"{instance.lead} is not an active member of {instance.team}")]
            instance.lead = user
        if instance.notes and instance.council_tax_debt is None and (
                "council_tax_debt" not in errors):
            errors["notes"] = [ValidationError(
                "Notes are kept with the council-tax debt: add council_tax_debt, or leave "
                "notes blank")]
        if errors:
            raise ValidationError(errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """The model's own checks too (email format, lengths); the case does not exist yet."""
        errors = dict(import_validation_errors or {})
        try:
            instance.full_clean(exclude=[*errors, "case"], validate_unique=False,
                                validate_constraints=False)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """A blank row (often left at the end of a spreadsheet) is passed over."""
        return not any(str(value or "").strip() for value in row.values())

    def save_instance(self, instance, is_create, row, **kwargs):
        """The case, its main person and the optional debt. A dry run stops once the row is
        checked and writes nothing, so previewing thousands of rows stays quick; the
        confirmed import checks every row again before it writes."""
        case = Case(team=instance.team, lead=instance.lead, source=instance.source)
        debt = None
        if instance.council_tax_debt is not None:
            debt = Debt(case=case, creditor=Debt.Creditor.COUNCIL_TAX,
                        amount=instance.council_tax_debt, pay_status=Debt.PayStatus.NOT_KNOWN,
                        notes=instance.notes)
        if not self._is_dry_run(kwargs):
            case.save()  # Case.save() gives the case its team's next reference
            instance.case = case
            instance.save(force_insert=True)
            if debt:
                debt.case = case
                debt.save(force_insert=True)
        self.created.append(CreatedRow(row=kwargs["row_number"] + 1, person=instance,
                                       case=case, debt=debt))


@dataclass
class RowProblem:
    row: int  # as a spreadsheet shows it: the header is row 1
    errors: list[tuple[str, list[str]]]

    @property
    def columns(self) -> list[str]:
        return [column for column, _ in self.errors]


@dataclass
class ImportOutcome:
    created: list[CreatedRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.problems or self.file_errors)


def row_problems(result, column_names: list[str], *, what: str = "Case import"
                 ) -> list[RowProblem]:
    """Each row's problems from an import-export result, by row number, in column order. A
    row that failed to save for an unexpected reason is logged (its number, never its
    values) and told to check its values."""
    order = {name: n for n, name in enumerate(column_names)}
    problems = [
        RowProblem(row=invalid.number + 1, errors=sorted(
            (("row" if column == NON_FIELD_ERRORS else column, messages)
             for column, messages in invalid.error_dict.items()),
            key=lambda item: order.get(item[0], len(order))))
        for invalid in result.invalid_rows
    ]
    for error_row in result.error_rows:
        for error in error_row.errors:
            logger.warning("%s row %s failed", what, error_row.number, exc_info=error.error)
        problems.append(RowProblem(row=error_row.number + 1, errors=[
            ("row", ["This row could not be saved. Check its values and try again"])]))
    return sorted(problems, key=lambda p: p.row)


def cases_import(*, dataset: Dataset, user, dry_run: bool) -> ImportOutcome:
    """Check every row and, unless it is a dry run, write them all in one transaction. If any
    row is wrong nothing is written, whether or not it is a dry run."""
    resource = CaseImportResource(user=user)
    with transaction.atomic():
        result = resource.import_data(
            dataset, dry_run=dry_run, raise_errors=False, use_transactions=True,
            collect_failed_rows=True, rollback_on_validation_errors=True)
        outcome = ImportOutcome(
            problems=row_problems(result, COLUMN_NAMES),
            file_errors=["The file could not be imported. Check it and try again"]
            if result.base_errors else [])
        if dry_run or not outcome.ok:
            transaction.set_rollback(True)
    for error in result.base_errors:
        logger.warning("Case import failed", exc_info=error.error)
    if outcome.ok:
        outcome.created = resource.created
    return outcome
