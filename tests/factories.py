import factory
from django.contrib.auth.models import Group

from accounts.models import Membership, Team, User
from accounts.services import roles_apply

PASSWORD = "a long test passphrase"


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Team {n}")
    case_prefix = factory.Sequence(lambda n: f"T{n:02d}"[:4])


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        """`UserFactory(roles=["caseworker"], team=team)`: groups are created on first use
        (a transactional browser test starts with none)."""
        if not extracted:
            return
        names = [str(r) for r in extracted]
        if Group.objects.filter(name__in=names).count() < len(set(names)):
            roles_apply()
        self.groups.add(*Group.objects.filter(name__in=names))

    @factory.post_generation
    def team(self, create, extracted, **kwargs):
        if extracted:
            Membership.objects.create(user=self, team=extracted)


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "caseload.Case"
        skip_postgeneration_save = True

    team = factory.SubFactory(TeamFactory)
    lead = factory.SubFactory(UserFactory)
    source = "recovery_list"

    @factory.post_generation
    def person(self, create, extracted, **kwargs):
        """A main person for every case: `CaseFactory(person__name="Jo Bloggs")`."""
        if create and extracted is not False:
            PersonFactory(case=self, **kwargs)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "caseload.Person"

    case = factory.SubFactory(CaseFactory, person=False)
    name = factory.Faker("name", locale="en_GB")
    relationship = "main"


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "caseload.Contact"

    case = factory.SubFactory(CaseFactory)
    worker = factory.LazyAttribute(lambda c: c.case.lead)
    author = factory.LazyAttribute(lambda c: c.worker)
    kind = "home_visit"
    what_happened = "Popped round; talked about the gas meter."
