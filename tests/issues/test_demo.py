import pytest

from accounts.demo import seed_accounts
from accounts.services import roles_apply
from caseload import demo as caseload_demo
from issues import demo
from issues.models import Issue, IssueUpdate

pytestmark = pytest.mark.django_db


def test_demo_issues_span_the_three_levels_and_run_once():
    roles_apply()
    context = seed_accounts()
    caseload_demo.seed(context)
    demo.seed(context)
    assert 15 <= Issue.objects.count() <= 25
    assert set(Issue.objects.values_list("level", flat=True)) == {1, 2, 3}
    assert Issue.objects.new_normal().filter(title__icontains="approval").exists()
    assert Issue.objects.open().filter(title__icontains="rent arrears").exists()
    assert Issue.objects.filter(cases__isnull=False).distinct().count() >= 10
    assert IssueUpdate.objects.filter(automatic=False).count() >= 10
    counts = Issue.objects.count(), IssueUpdate.objects.count()
    demo.seed(context)
    assert (Issue.objects.count(), IssueUpdate.objects.count()) == counts
