import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError

from accounts.roles import Role
from caseload.models import Case, Debt, Person
from caseload.resources import COLUMN_NAMES, MAX_ROWS

pytestmark = pytest.mark.django_db

URL = "/cases/import"


def person_row(n: int, **changes) -> dict:
    row = {"team": "Riverside", "lead": "casey", "name": f"Person Number{n}",
           "preferred_name": "", "date_of_birth": "01/02/1980", "phone": f"07700 900{n:03d}",
           "email": f"person{n}@example.org", "address": f"{n} Mill Lane, Riverside",
           "source": "", "council_tax_debt": f"{n}.50", "notes": ""}
    return {**row, **changes}


def csv_upload(rows, *, headers=COLUMN_NAMES, name="recovery-list.csv", encoding="utf-8"):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=headers, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode(encoding), "text/csv")


def preview(client, upload):
    return client.post(URL, {"file": upload})


def confirm(client, response):
    return client.post(URL, {"confirm": "1", "digest": response.context["digest"]})


def problems(response) -> list[tuple[int, list[str]]]:
    return [(p.row, p.columns) for p in response.context["outcome"].problems]


def nothing_written():
    return Case.objects.count() == Person.objects.count() == Debt.objects.count() == 0


def test_three_bad_rows_among_a_hundred_import_nothing_and_are_named(signed_in, leader,
                                                                      caseworker):
    rows = [person_row(n) for n in range(100)]
    rows[10]["lead"] = "nobody"
    rows[40].update(date_of_birth="31/02/1990", council_tax_debt="-5")
    rows[77]["name"] = ""
    client = signed_in(leader)
    response = preview(client, csv_upload(rows))
    assert response.status_code == 422
    # Spreadsheet rows: the header is row 1, so the 11th person is row 12.
    assert problems(response) == [(12, ["lead"]), (42, ["date_of_birth", "council_tax_debt"]),
                                  (79, ["name"])]
    page = response.text
    assert "Row 12: lead" in page and "Row 42: date_of_birth, council_tax_debt" in page
    assert "nobody is not an active member of Riverside" in page
    assert "Date of birth must be a real date" in page
    assert "Council tax debt must be £0 or more" in page
    assert "Enter the person&#x27;s name" in page
    assert "nothing has been imported" in page
    assert nothing_written()
    assert "case_import" not in client.session


def test_clean_hundred_rows_preview_then_import_cases_people_and_debts(
        signed_in, leader, caseworker, team):
    client = signed_in(leader)
    response = preview(client, csv_upload([person_row(n) for n in range(1, 101)]))
    assert response.status_code == 200
    assert "Import 100 cases" in response.text
    assert "Person Number37" in response.text
    assert nothing_written()  # a preview writes nothing

    response = confirm(client, response)
    assert response.status_code == 302 and response.url == "/cases/"
    assert Case.objects.filter(team=team, lead=caseworker, source="recovery_list").count() == 100
    assert sorted(Case.objects.values_list("reference", flat=True))[:2] == ["RS-0001", "RS-0002"]
    person = Person.objects.select_related("case").get(name="Person Number37")
    assert person.relationship == Person.Relationship.MAIN
    assert (person.phone, person.email) == ("07700 900037", "person37@example.org")
    assert person.date_of_birth.isoformat() == "1980-02-01"
    debt = person.case.debts.get()
    assert (debt.creditor, debt.amount, debt.pay_status) == ("council_tax", Decimal("37.50"),
                                                             "not_known")
    assert person.case.events.first().pgh_context["user"] == leader.pk
    assert "case_import" not in client.session
    assert "Imported 100 cases" in client.get("/cases/").text


def test_admin_imports_to_any_team(signed_in, service_admin, other_team, make_user):
    make_user(Role.CASEWORKER, team=other_team, username="hilda")
    client = signed_in(service_admin)
    response = preview(client, csv_upload([person_row(1, team="HS", lead="Hilda",
                                                      council_tax_debt="")]))
    assert response.status_code == 200
    confirm(client, response)
    case = Case.objects.get()
    assert case.team == other_team and case.reference == "HS-0001"
    assert not case.debts.exists()


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.AUDITOR, Role.COORDINATOR])
def test_only_leaders_and_admins_may_import(signed_in, make_user, team, role):
    client = signed_in(make_user(role, team=team))
    assert client.get(URL).status_code == 403
    assert client.get(URL + "?template=1").status_code == 403
    assert preview(client, csv_upload([person_row(1)])).status_code == 403
    assert nothing_written()


def test_sign_in_needed_to_import(client):
    response = client.get(URL)
    assert response.status_code == 302 and "sign-in" in response.url


def test_import_link_shows_only_to_those_who_may_import(signed_in, leader, caseworker):
    assert "Import a caseload" in signed_in(leader).get("/cases/").text
    assert "Import a caseload" not in signed_in(caseworker).get("/cases/").text


def test_import_page_documents_columns_and_row_numbers(signed_in, leader):
    page = signed_in(leader).get(URL).text
    for name in COLUMN_NAMES:
        assert f"<code>{name}</code>" in page
    assert "DD/MM/YYYY" in page and "?template=1" in page


def test_template_csv_example_row_previews_cleanly(signed_in, leader, caseworker):
    client = signed_in(leader)
    response = client.get(URL + "?template=1")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0] == ",".join(COLUMN_NAMES)
    upload = SimpleUploadedFile("template.csv", response.content, "text/csv")
    result = preview(client, upload)
    assert result.status_code == 200 and "Import 1 case" in result.text


@pytest.mark.parametrize(("name", "content", "message"), [
    ("list.xlsx", b"PK\x03\x04\x14\x00\x00\x00", "The selected file must be a CSV"),
    ("list.csv", b"PK\x03\x04\x14\x00\x00\x00", "The selected file must be a CSV"),
    ("list.csv", b"", "The selected file is empty"),
    ("list.csv", b"team,name\nRiverside,Jo\n", "it has no lead column"),
    ("list.csv", b"team,lead,name\nRiverside,casey,Jo,extra\n",
     "Row 2 has more cells than the first row has column names"),
])
def test_a_file_that_is_not_a_caseload_is_refused(signed_in, leader, name, content, message):
    response = preview(signed_in(leader), SimpleUploadedFile(name, content, "text/csv"))
    assert response.status_code == 422
    assert message in response.text
    assert 'class="govuk-error-summary"' in response.text
    assert response.text.count("<title>Error: ") == 1


def test_no_file_chosen_is_refused(signed_in, leader):
    response = signed_in(leader).post(URL, {})
    assert response.status_code == 422 and "Select a CSV file" in response.text


def test_oversized_file_is_refused(signed_in, leader):
    big = b"team,lead,name,address\n" + b"Riverside,casey,Jo," + b"x" * (2 * 1024 * 1024) + b"\n"
    response = preview(signed_in(leader), SimpleUploadedFile("big.csv", big, "text/csv"))
    assert response.status_code == 422
    assert "The selected file must be smaller than 2 MB" in response.text
    assert nothing_written()


def test_more_than_five_thousand_people_is_refused(signed_in, leader):
    rows = "".join("Riverside,casey,Jo\n" for _ in range(MAX_ROWS + 1))
    upload = SimpleUploadedFile("many.csv", f"team,lead,name\n{rows}".encode(), "text/csv")
    response = preview(signed_in(leader), upload)
    assert response.status_code == 422
    assert "The file has 5,001 rows of people: import at most 5,000 at a time" in response.text


def test_formula_looking_values_are_stored_as_typed(signed_in, leader, caseworker):
    formula = '=HYPERLINK("http://example.com/x","Click")'
    client = signed_in(leader)
    response = preview(client, csv_upload([person_row(
        1, name=formula, preferred_name="@SUM(1+1)", address="-2+3 Cmd|' /C calc'!A0",
        phone="+44 7700 900123", notes="=1+1")]))
    assert response.status_code == 200
    assert "=HYPERLINK(&quot;http://example.com/x&quot;" in response.text
    confirm(client, response)
    person = Person.objects.get()
    assert person.name == formula
    assert person.preferred_name == "@SUM(1+1)"
    assert person.address == "-2+3 Cmd|' /C calc'!A0"
    assert person.phone == "+44 7700 900123"
    assert person.case.debts.get().notes == "=1+1"


@pytest.mark.parametrize(("changes", "column", "message"), [
    ({"team": "Nowhere"}, "team", "No team called Nowhere that you can import to. Teams: "
                                  "Riverside (RS)"),
    ({"team": ""}, "team", "Enter the team&#x27;s name or case prefix"),
    ({"lead": ""}, "lead", "Enter the lead caseworker&#x27;s username"),
    ({"date_of_birth": "01/01/2999"}, "date_of_birth", "Date of birth must be in the past"),
    ({"date_of_birth": "1985-03-27"}, "date_of_birth", "written as DD/MM/YYYY"),
    ({"date_of_birth": "31/02/1990"}, "date_of_birth", "must be a real date"),
    ({"council_tax_debt": "12.345"}, "council_tax_debt", "at most 2 decimal places"),
    ({"council_tax_debt": "lots"}, "council_tax_debt", "an amount in pounds"),
    ({"council_tax_debt": "NaN"}, "council_tax_debt", "an amount in pounds"),
    ({"phone": "call after 6"}, "phone", "Enter a phone number"),
    ({"phone": "12"}, "phone", "Enter a phone number"),
    ({"email": "not-an-email"}, "email", "Enter a valid email address"),
    ({"name": "x" * 10_240}, "name", "Must be 200 characters or fewer (this has 10,240)"),
    ({"address": "x" * 501}, "address", "Must be 500 characters or fewer"),
    ({"source": "bailiff"}, "source",
     "Source must be one of recovery_list, housing, self, partner, other"),
    ({"council_tax_debt": "", "notes": "Liability order"}, "notes",
     "Notes are kept with the council-tax debt"),
])
def test_each_bad_value_is_named_with_its_column(signed_in, leader, caseworker, other_team,
                                                 changes, column, message):
    rows = [person_row(1), person_row(2, **changes)]
    response = preview(signed_in(leader), csv_upload(rows))
    assert response.status_code == 422
    assert problems(response) == [(3, [column])]
    assert message.replace("Riverside (RS)", "Hillside (HS), Riverside (RS)") in response.text
    assert nothing_written()


def test_lead_must_be_an_active_member_of_the_rows_team(signed_in, leader, caseworker,
                                                        make_user, other_team):
    make_user(Role.CASEWORKER, team=other_team, username="hilda")
    make_user(Role.CASEWORKER, team=other_team, username="gone", is_active=False)
    rows = [person_row(1, lead="hilda"), person_row(2, team="HS", lead="gone"),
            person_row(3, team="HS", lead="HILDA")]
    response = preview(signed_in(leader), csv_upload(rows))
    assert problems(response) == [(2, ["lead"]), (3, ["lead"])]
    assert "hilda is not an active member of Riverside" in response.text


def test_forgiving_headers_labels_blank_rows_and_windows_encoding(signed_in, leader, caseworker):
    headers = ["Team", "Lead", "Name", "Date of birth", "Source", "Council tax debt",
               "Account number"]
    rows = [{"Team": "rs", "Lead": "casey", "Name": "Zoë Hall", "Date of birth": "7/3/1985",
             "Source": "Housing", "Council tax debt": "£1,234.50", "Account number": "A1"},
            {}]
    client = signed_in(leader)
    response = preview(client, csv_upload(rows, headers=headers, encoding="cp1252"))
    assert response.status_code == 200
    assert "Import 1 case" in response.text
    assert "<code>account_number</code>" in response.text  # ignored, and said so
    confirm(client, response)
    person = Person.objects.select_related("case").get()
    assert person.name == "Zoë Hall" and person.case.source == "housing"
    assert person.case.debts.get().amount == Decimal("1234.50")


def test_confirm_without_a_waiting_preview_writes_nothing(signed_in, leader, caseworker):
    client = signed_in(leader)
    response = preview(client, csv_upload([person_row(1)]))
    stale = client.post(URL, {"confirm": "1", "digest": "0" * 64})
    assert stale.status_code == 302 and stale.url == URL
    assert nothing_written()
    confirm(client, response)
    assert confirm(client, response).status_code == 302  # a second confirm imports nothing more
    assert Case.objects.count() == 1


def test_confirm_checks_again_and_writes_nothing_if_a_row_went_bad(signed_in, leader,
                                                                   caseworker):
    client = signed_in(leader)
    response = preview(client, csv_upload([person_row(n) for n in range(1, 6)]))
    caseworker.is_active = False
    caseworker.save()
    response = confirm(client, response)
    assert response.status_code == 422
    assert problems(response) == [(row, ["lead"]) for row in range(2, 7)]
    assert nothing_written()


def test_a_row_that_fails_to_save_undoes_the_whole_import(signed_in, leader, caseworker,
                                                          monkeypatch):
    real_save = Debt.save

    def failing_save(debt, *args, **kwargs):
        if debt.amount == Decimal("4.50"):
            raise IntegrityError("simulated")
        return real_save(debt, *args, **kwargs)

    client = signed_in(leader)
    response = preview(client, csv_upload([person_row(n) for n in range(1, 6)]))
    monkeypatch.setattr(Debt, "save", failing_save)
    response = confirm(client, response)
    assert response.status_code == 422
    assert problems(response) == [(5, ["row"])]
    assert nothing_written()
