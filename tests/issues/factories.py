import factory

from issues.models import Issue, IssueUpdate
from tests.factories import TeamFactory, UserFactory


class IssueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Issue
        skip_postgeneration_save = True

    team = factory.SubFactory(TeamFactory)
    raised_by = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Issue {n}: the allocations rule blocks a move")
    level = Issue.Level.SYSTEM
    owner_level = Issue.OwnerLevel.TEAM
    countermeasure = "The leader asks housing for an exception"

    @factory.post_generation
    def cases(self, create, extracted, **kwargs):
        if create and extracted:
            self.cases.set(extracted)


class IssueUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IssueUpdate

    issue = factory.SubFactory(IssueFactory)
    by = factory.LazyAttribute(lambda u: u.issue.raised_by)
    text = "Rang housing; they will look at it on Monday"


def many_issues(team, raised_by, n: int, *, cases=()) -> list[Issue]:
    """n issues across levels, owner levels and ages, created in bulk (for query counts)."""
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    issues = Issue.objects.bulk_create(
        Issue(team=team, raised_by=raised_by, title=f"Bulk issue {i}", level=1 + i % 3,
              owner_level=Issue.OwnerLevel.values[i % 3], owner=raised_by if i % 2 else None,
              category=Issue.Category.values[i % 8], raised_on=today - timedelta(days=i % 120))
        for i in range(n))
    if cases:
        through = Issue.cases.through
        through.objects.bulk_create(through(issue_id=issue.pk, case_id=case.pk)
                                    for issue in issues[::10] for case in cases)
    return issues
