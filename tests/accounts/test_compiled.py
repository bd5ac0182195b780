"""Querysets compiled once and run with each call's values (accounts/compiled.py)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connections
from django.db.models import BigIntegerField, Count, DateField, IntegerField, OuterRef, Subquery
from django.test.utils import CaptureQueriesContext

from accounts.compiled import Batch, Compiled, CompiledObjects, Slot
from caseload.models import Case, Contact
from tests.factories import CaseFactory, ContactFactory, TeamFactory

pytestmark = pytest.mark.django_db


built = []  # the shapes _team_cases was asked to build, in order


def _team_cases(*, newest_first: bool = False):
    built.append(newest_first)
    contacts = (Contact.objects.filter(case=OuterRef("pk"),
                                       happened_at__date__gte=Slot("since", DateField()))
                .values("case").annotate(n=Count("pk")).values("n")[:1])
    return (Case.objects.filter(team=Slot("team", IntegerField()))
            .annotate(recent=Subquery(contacts))
            .order_by("-number" if newest_first else "number")
            .values_list("reference", "recent", "transitions"))


TEAM_CASES = Compiled(Case, _team_cases)


@pytest.fixture
def teams():
    built.clear()
    TEAM_CASES.forget()
    north, south = TeamFactory(case_prefix="NOR"), TeamFactory(case_prefix="SOU")
    cases = [CaseFactory(team=north, transitions=["bereavement"]),
             CaseFactory(team=north), CaseFactory(team=south)]
    ContactFactory(case=cases[0])
    return north, south, cases


def test_each_call_runs_with_its_own_values_and_the_query_is_built_once(teams):
    north, south, cases = teams
    today = datetime.date.today()
    rows = TEAM_CASES.rows({"team": north.pk, "since": today})
    assert rows == [(cases[0].reference, 1, ["bereavement"]), (cases[1].reference, None, [])]
    assert TEAM_CASES.rows({"team": south.pk, "since": today}) == [(cases[2].reference, None, [])]
    tomorrow = today + datetime.timedelta(days=1)
    assert TEAM_CASES.rows({"team": north.pk, "since": tomorrow})[0] == (
        cases[0].reference, None, ["bereavement"])  # the contact is before `since` now
    assert built == [False]


def test_each_shape_is_built_once_and_a_page_is_a_limit_and_offset(teams):
    north, _, cases = teams
    values = {"team": north.pk, "since": datetime.date.today()}
    assert [r[0] for r in TEAM_CASES.rows(values, newest_first=True)] == [
        cases[1].reference, cases[0].reference]
    assert [r[0] for r in TEAM_CASES.rows(values, limit=1, offset=1, newest_first=True)] == [
        cases[0].reference]
    assert TEAM_CASES.rows(values, limit=1, offset=2) == []
    TEAM_CASES.rows(values)
    assert built == [True, False]


def test_a_compiled_query_is_one_counted_query_with_its_values_as_parameters(
        teams, django_assert_num_queries):
    north, _, _ = teams
    with (django_assert_num_queries(1),
          CaptureQueriesContext(connections["default"]) as queries):
        TEAM_CASES.rows({"team": north.pk, "since": datetime.date(2031, 5, 17)}, limit=10)
    [sql] = [query["sql"] for query in queries]  # a prepared statement (accounts/prepared.py)
    assert sql.startswith("EXECUTE caseload_case_") and sql.endswith(f"('2031-05-17'::date, {north.pk})")


def _statement(label: str) -> str:
    with connections["default"].cursor() as cursor:
        cursor.execute("select statement from pg_prepared_statements where name like %s",
                       [f"{label}%"])
        [(statement,)] = cursor.fetchall()
        return statement


def test_only_the_slots_are_parameters_the_querysets_constants_are_written_in(teams):
    """So PostgreSQL plans knowing them (a partial index on them can serve the plan it keeps),
    as does a page's size, and the first page's offset; a later page's offset is a
    parameter, one statement for every later page."""
    north, _, cases = teams
    cases[1].reference = "NOR-50%_off"
    cases[1].save()
    compiled = Compiled(Case, lambda: Case.objects.filter(
        team=Slot("team", IntegerField()), status="open", reference__contains="50%_")
        .exclude(transitions__contains=["it's"]).order_by("pk").values_list("reference"),
        label="constants")
    assert compiled.rows({"team": north.pk}, limit=5) == [("NOR-50%_off",)]
    statement = _statement("constants")
    assert "$1" in statement and "$2" not in statement
    assert "'open'" in statement and "'it''s'" in statement and "LIMIT 5" in statement
    assert "OFFSET" not in statement
    assert compiled.rows({"team": north.pk}, limit=5, offset=1) == []
    assert compiled.rows({"team": north.pk}, limit=5, offset=0) == [("NOR-50%_off",)]
    with connections["default"].cursor() as cursor:
        cursor.execute("select statement from pg_prepared_statements where name like %s",
                       ["constants%"])
        later = [s for (s,) in cursor.fetchall() if "OFFSET" in s]
    assert len(later) == 1 and later[0].endswith("LIMIT 5 OFFSET $2")


def test_a_missing_value_is_an_error_not_a_value_kept_from_before(teams):
    north, _, _ = teams
    TEAM_CASES.rows({"team": north.pk, "since": datetime.date.today()})
    with pytest.raises(KeyError, match="since"):
        TEAM_CASES.rows({"team": north.pk})


def test_a_users_teams_are_a_list_of_values_one_shape_per_number_of_teams(
        teams, django_assert_num_queries):
    """`team__in` a user's teams compiles to `IN (%s, %s)`, as for the list itself, so that
    PostgreSQL can read one team's rows in an index's order."""
    from accounts.compiled import Capabilities, Reach

    north, south, cases = teams
    built = []

    def build(capabilities):
        built.append(capabilities.teams)
        return (Case.objects.filter(team__in=Reach(capabilities).team_ids).order_by("pk")
                .values_list("reference", flat=True))

    in_teams = Compiled(Case, build)

    def shape(count: int) -> Capabilities:
        return Capabilities(frozenset(), count)

    assert in_teams.rows({"teams": [north.pk]}, capabilities=shape(1)) == [
        (cases[0].reference,), (cases[1].reference,)]
    assert in_teams.rows({"teams": [south.pk]}, capabilities=shape(1)) == [(cases[2].reference,)]
    assert len(in_teams.rows({"teams": [south.pk, north.pk]}, capabilities=shape(2))) == 3
    with django_assert_num_queries(0):  # no teams: nothing, without asking
        assert in_teams.rows({"teams": []}, capabilities=shape(0)) == []
    assert built == [1, 2, 0]
    with connections["default"].cursor() as cursor:
        cursor.execute("select statement from pg_prepared_statements")
        statements = " ".join(statement for (statement,) in cursor.fetchall())
    assert '"team_id" IN ($1, $2)' in statements and "unnest" not in statements


def test_the_models_own_reach_rule_compiles_for_each_set_of_capabilities(
        teams, make_user, django_assert_num_queries):
    """`for_user(Reach(...))` is the model's own rule, compiled once per set of capabilities,
    with each user's teams given at each run (accounts.compiled.reach)."""
    from accounts.compiled import Reach, reach

    north, south, cases = teams
    users = {"caseworker": make_user("caseworker", team=north),
             "other caseworker": make_user("caseworker", team=south),
             "leader": make_user("leader"), "nobody": make_user()}
    by_reach = Compiled(Case, lambda capabilities: Case.objects.for_user(Reach(capabilities))
                        .order_by("pk").values_list("pk", flat=True))
    for name, user in users.items():
        capabilities, team_ids = reach(user)
        found = [pk for (pk,) in by_reach.rows({"teams": team_ids}, capabilities=capabilities)]
        assert found == list(Case.objects.for_user(user).order_by("pk")
                             .values_list("pk", flat=True)), name
    capabilities, team_ids = reach(users["nobody"])
    with django_assert_num_queries(0):  # none() is empty whatever the values
        assert by_reach.rows({"teams": team_ids}, capabilities=capabilities) == []


def test_a_number_its_column_cannot_hold_matches_nothing(teams, django_assert_num_queries):
    from django.db.models import BigIntegerField

    by_id = Compiled(Case, lambda: Case.objects.filter(pk=Slot("pk", BigIntegerField()))
                     .values_list("reference"))
    _, _, cases = teams
    assert by_id.rows({"pk": cases[0].pk}) == [(cases[0].reference,)]
    with django_assert_num_queries(0):
        assert by_id.rows({"pk": 10**30}) == [] and by_id.rows({"pk": -(2**63) - 1}) == []


def test_objects_read_only_the_fields_asked_for_as_only_would(teams,
                                                              django_assert_num_queries):
    """`only` reads those fields, the primary keys and the related keys; the rest are
    deferred, as the queryset's only() leaves them, and read if asked for."""
    from accounts.compiled import CompiledObjects

    case = CaseFactory(team=teams[0])
    ContactFactory(case=case, what_happened="Rang about the meter", next_step="Ring back")
    fields = ("what_happened", "worker__first_name")
    compiled = CompiledObjects(Contact, lambda: Contact.objects.filter(
        case=Slot("case", IntegerField())), related=("worker",), only=fields)
    with django_assert_num_queries(1):
        [contact] = compiled.objects({"case": case.pk})
        assert contact.what_happened == "Rang about the meter"
        assert contact.worker.first_name == case.lead.first_name
    [expected] = Contact.objects.filter(case=case).select_related("worker").only(*fields)
    assert contact.get_deferred_fields() == expected.get_deferred_fields()
    assert contact.worker.get_deferred_fields() == expected.worker.get_deferred_fields()
    with django_assert_num_queries(1):
        assert contact.next_step == "Ring back"


def test_any_of_matches_the_rows_among_the_list_given_each_time():
    """`AnyOf("case", "cases")`: one query shape, whatever the list's length."""
    from accounts.compiled import AnyOf

    team = TeamFactory()
    cases = [CaseFactory(team=team) for _ in range(4)]
    contacts = {case.pk: ContactFactory(case=case) for case in cases}
    of_cases = Compiled(Contact, lambda: Contact.objects.filter(AnyOf("case", "cases"))
                        .order_by("pk").values_list("pk"))
    for chosen in ([], cases[:1], cases[1:3], cases):
        found = [pk for (pk,) in of_cases.rows({"cases": [case.pk for case in chosen]})]
        assert found == sorted(contacts[case.pk].pk for case in chosen)
    assert len(of_cases._kept) == 1


CONTACTS_OF = CompiledObjects(Contact, lambda: Contact.objects.filter(
    case=Slot("case", IntegerField())).order_by("pk"), related=("worker",))


def test_a_batch_reads_its_queries_in_one_round_trip_when_an_answer_is_first_used(
        teams, django_assert_num_queries):
    north, south, cases = teams
    today = datetime.date.today()
    expected = (TEAM_CASES.rows({"team": north.pk, "since": today}),
                TEAM_CASES.rows({"team": south.pk, "since": today}, newest_first=True),
                CONTACTS_OF.objects({"case": cases[0].pk}))
    batch = Batch()
    with django_assert_num_queries(0):  # asking reads nothing
        north_rows = batch.rows(TEAM_CASES, {"team": north.pk, "since": today})
        south_rows = batch.rows(TEAM_CASES, {"team": south.pk, "since": today},
                                newest_first=True)
        contacts = batch.objects(CONTACTS_OF, {"case": cases[0].pk}, known={"case": cases[0]})
    with (django_assert_num_queries(1),
          CaptureQueriesContext(connections["default"]) as queries):
        assert len(contacts) == 1  # the first answer used reads them all
        assert north_rows == expected[0] and south_rows == expected[1]
        assert contacts == expected[2]
        assert contacts[0].worker.username == expected[2][0].worker.username  # read with it
        assert contacts[0].case is cases[0]  # given, not read
    [sql] = [query["sql"] for query in queries]
    assert sql.count("EXECUTE caseload_case_") == 2 and sql.count("EXECUTE caseload_contact_") == 1
    with django_assert_num_queries(1):  # asked for after the batch was read: a round trip
        assert batch.rows(TEAM_CASES, {"team": north.pk, "since": today}) == expected[0]


def test_a_batched_query_that_can_match_nothing_is_not_sent(teams, django_assert_num_queries):
    by_id = Compiled(Case, lambda: Case.objects.filter(pk=Slot("pk", BigIntegerField()))
                     .values_list("reference"))
    _, _, cases = teams
    batch = Batch()
    nothing, found = batch.rows(by_id, {"pk": 10**30}), batch.rows(by_id, {"pk": cases[0].pk})
    with (django_assert_num_queries(1),
          CaptureQueriesContext(connections["default"]) as queries):
        assert not nothing and found == [(cases[0].reference,)]
    assert queries[0]["sql"].count("EXECUTE") == 1


@pytest.mark.parametrize("prepared", [True, False])
def test_a_batch_answers_the_same_sent_apart_while_a_wrapper_watches_the_queries(
        teams, settings, prepared, django_assert_num_queries):
    """django-pghistory's wrapper (around a write request's queries) puts its own statement
    before each and moves the cursor to the last answer: a batch sends its queries apart
    then. Without prepared statements, a batch sends the queries' SQL."""
    import pghistory

    settings.DATABASE_PREPARED_STATEMENTS = prepared
    north, south, _ = teams
    today = datetime.date.today()
    expected = [TEAM_CASES.rows({"team": team.pk, "since": today}) for team in (north, south)]
    batch = Batch()
    answers = [batch.rows(TEAM_CASES, {"team": team.pk, "since": today})
               for team in (north, south)]
    with django_assert_num_queries(1):
        assert answers == expected
    with pghistory.context(note="a tracked write"), django_assert_num_queries(2):
        batch = Batch()
        answers = [batch.rows(TEAM_CASES, {"team": team.pk, "since": today})
                   for team in (north, south)]
        assert answers == expected


def test_a_batch_that_fails_is_read_again_not_taken_as_no_rows(teams):
    """One message of several statements: the second fails, and neither answer is taken as
    read, nor as no rows."""
    from django.db import DataError, transaction
    from django.db.models import F

    _, _, cases = teams
    divided = Compiled(Case, lambda: Case.objects.filter(pk=cases[0].pk).annotate(
        share=F("number") / Slot("by", IntegerField())).values_list("share"))
    batch = Batch()
    fine, failing = batch.rows(divided, {"by": 1}), batch.rows(divided, {"by": 0})
    for _ in range(2):
        with pytest.raises(DataError, match="division by zero"), transaction.atomic():
            len(fine)
    assert repr(fine) == repr(failing) == "Later(not read yet)"


@pytest.mark.parametrize("value", [
    True, False, 0, -7, Decimal("-12.50"), datetime.date(2031, 5, 17),
    datetime.datetime(2031, 5, 17, 9, 30, tzinfo=datetime.UTC), "O'Brien \\ 100% _x_",
])
def test_a_constant_of_any_kind_is_written_as_the_parameter_would_have_given_it(value):
    """Each constant, written into the SQL by the driver's quoting, selects the value itself."""
    from django.db.models import Value

    team = TeamFactory()
    CaseFactory(team=team)
    compiled = Compiled(Case, lambda: Case.objects.filter(team=Slot("team", IntegerField()))
                        .annotate(constant=Value(value)).values_list("constant"))
    assert compiled.rows({"team": team.pk}) == [(value,)]
