"""Who may prepare, release and download subject-access requests.

Leaders and admins (`handle_subject_access`) start requests for anyone, release them and
download what was released. Coordinators (`prepare_subject_access`) mark what to withhold in
requests for people in their own teams' cases, because they know who the third parties in those
records are; they cannot release or download. A person or request outside the user's reach is a
404; a role that may not do the thing at all is a 403.
"""

from django.shortcuts import get_object_or_404

from accounts.shortcuts import require
from caseload.models import Case, Person
from privacy.models import SubjectAccessRequest


def can_handle(user) -> bool:
    return user.has_perm("accounts.handle_subject_access")


def can_prepare(user) -> bool:
    return can_handle(user) or user.has_perm("accounts.prepare_subject_access")


def requests_for_user(user):
    """Requests within the user's reach: every one for those who handle them, those for people
    in their own teams' cases for those who prepare them."""
    requests = SubjectAccessRequest.objects.all()
    if can_handle(user):
        return requests
    if can_prepare(user):
        return requests.filter(person__case__in=Case.objects.for_user(user))
    return requests.none()


def person_for_subject_access(user, pk) -> Person:
    """The person a leader or admin starts a request for. One query."""
    require(can_handle(user))
    return get_object_or_404(Person.objects.select_related("case", "case__team", "case__lead"),
                             pk=pk)


def people_for_reference(user, reference: str) -> list[Person]:
    """The people on the case with this reference, for a leader or admin to start a request
    from (admins do not see case pages). One query."""
    require(can_handle(user))
    return list(Person.objects.filter(case__reference__iexact=reference)
                .select_related("case"))


def request_for_user(user, pk, *, handle: bool = False) -> SubjectAccessRequest:
    """The request, if the user may prepare it (or release and download it, with `handle`).
    One query, with the person, case, team and lead loaded for gathering."""
    require(can_handle(user) if handle else can_prepare(user))
    return get_object_or_404(
        requests_for_user(user).select_related(
            "person", "person__case", "person__case__team", "person__case__lead",
            "started_by", "released_by"),
        pk=pk)
