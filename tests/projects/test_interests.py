"""Expressions of interest, the services: who may express, change, withdraw and answer one, the
university's capacity and the call's allowance, the emails, and the capacity race."""

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.errors import Conflict
from accounts.models import UniversityCapacity
from projects import selectors, services
from projects.models import Interest, Proposal
from tests.factories import (
    CallFactory,
    EmployerUserFactory,
    InterestFactory,
    ProposalFactory,
    UniversityUserFactory,
)
from tests.races import race

pytestmark = pytest.mark.django_db

STATEMENT = "我校人工智能学院有 120 名计算机视觉方向的学生。"


def published(**kwargs) -> Proposal:
    return ProposalFactory(status="published", decided_at=timezone.now(), **kwargs)


def capacity(user, places: int, project_type: str = "internship_base") -> UniversityCapacity:
    return UniversityCapacity.objects.create(
        university=user.university, project_type=project_type, places=places, projects=5
    )


def express(user, proposal, students: int = 4, **fields) -> Interest:
    return services.interest_create(
        actor=user, proposal=proposal, fields={"students_offered": students, "statement": STATEMENT, **fields}
    )


def rows() -> list[tuple]:
    return list(
        Interest.objects.order_by("pk").values_list(
            "pk", "status", "students_offered", "statement", "response", "response_reason"
        )
    )


@pytest.fixture
def project(employer):
    return published(employer=employer.employer)


@pytest.fixture
def places(university):
    return capacity(university, 10)


@pytest.fixture
def interest(university, project, places):
    return express(university, project, students=4)


# Expressing interest


def test_a_university_expresses_interest_and_the_employer_is_emailed_on_commit(
    university, employer, project, places, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks() as callbacks:
        interest = express(university, project, students=4)
    assert mailoutbox == [] and len(callbacks) == 1
    for callback in callbacks:
        callback()

    assert [m.to for m in mailoutbox] == [[employer.email]]
    assert project.title in mailoutbox[0].body
    interest.refresh_from_db()
    assert (interest.status, interest.students_offered, interest.university) == (
        "live",
        4,
        university.university,
    )
    assert interest.contact_person == university.university.contact_person
    assert interest.contact_email == university.university.email
    assert selectors.interest_summary(project) == {"interests": 1, "places_left": 2}


def test_the_university_may_name_its_own_contact(university, project, places):
    interest = express(
        university,
        project,
        contact_person="张老师",
        contact_phone="13700137000",
        contact_email="zhang@university.example.edu.cn",
    )
    interest.refresh_from_db()
    assert (interest.contact_person, interest.contact_phone) == ("张老师", "13700137000")


@pytest.mark.parametrize("status", ["draft", "submitted", "returned", "rejected", "withdrawn"])
def test_interest_in_a_project_that_is_not_published_is_refused(
    university, employer, places, status, django_capture_on_commit_callbacks, mailoutbox
):
    proposal = ProposalFactory(employer=employer.employer, status=status)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError, match="published"):
        express(university, proposal)
    assert rows() == [] and mailoutbox == []


def test_a_project_withdrawn_after_the_page_was_loaded_is_refused(university, project, places):
    stale = Proposal.objects.get(pk=project.pk)
    Proposal.objects.filter(pk=project.pk).update(status="withdrawn")
    with pytest.raises(ValidationError, match="published"):
        express(university, stale)
    assert rows() == []


def test_a_second_interest_in_the_same_project_is_refused(
    university, project, interest, django_capture_on_commit_callbacks, mailoutbox
):
    before = rows()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError, match="already"):
        express(university, project, students=1)
    assert rows() == before and mailoutbox == []


def test_a_colleague_of_the_same_university_cannot_express_a_second_interest(university, project, interest):
    colleague = UniversityUserFactory(university=university.university)
    with pytest.raises(ValidationError, match="already"):
        express(colleague, project, students=1)
    assert Interest.objects.count() == 1


def test_after_withdrawing_the_university_may_express_interest_again(university, project, interest):
    services.interest_withdraw(actor=university, interest=interest)
    again = express(university, project, students=3)
    assert again.pk != interest.pk
    assert sorted(Interest.objects.values_list("status", flat=True)) == ["live", "withdrawn"]


def test_an_introduced_interest_still_blocks_a_second_one(university, project, interest):
    Interest.objects.filter(pk=interest.pk).update(status="introduced")
    with pytest.raises(ValidationError, match="already"):
        express(university, project)


def test_other_universities_may_express_interest_in_the_same_project(
    university, other_university, project, interest
):
    capacity(other_university, 5)
    express(other_university, project, students=5)
    assert selectors.interest_summary(project)["interests"] == 2


@pytest.mark.parametrize("students", [0, -1])
def test_fewer_than_one_student_is_refused(university, project, places, students):
    with pytest.raises(ValidationError) as caught:
        express(university, project, students=students)
    assert "students_offered" in caught.value.message_dict
    assert rows() == []


def test_a_blank_statement_is_refused(university, project, places):
    with pytest.raises(ValidationError) as caught:
        services.interest_create(
            actor=university, proposal=project, fields={"students_offered": 2, "statement": ""}
        )
    assert "statement" in caught.value.message_dict
    assert rows() == []


def test_fields_the_university_may_not_set_are_refused(university, project, places):
    with pytest.raises(ValidationError) as caught:
        express(university, project, status="introduced", response="welcome")
    assert set(caught.value.message_dict) == {"response", "status"}
    assert rows() == []


def test_students_above_the_capacity_for_the_type_are_refused(university, project, places):
    with pytest.raises(ValidationError) as caught:
        express(university, project, students=11)
    assert "students_offered" in caught.value.message_dict
    assert "10" in caught.value.message_dict["students_offered"][0]
    assert rows() == []


def test_capacity_is_summed_over_the_live_interests_of_the_same_type(university, employer, places):
    first, second, third = (published(employer=employer.employer) for _ in range(3))
    express(university, first, students=6)
    with pytest.raises(ValidationError, match="4"):
        express(university, second, students=5)
    express(university, second, students=4)
    assert selectors.university_capacity_left(university.university)["internship_base"] == {
        "places": 10,
        "offered": 10,
        "left": 0,
    }
    with pytest.raises(ValidationError):
        express(university, third, students=1)
    assert Interest.objects.count() == 2


def test_withdrawn_interests_and_other_types_do_not_use_capacity(university, employer, places):
    capacity(university, 3, project_type="directed_training")
    withdrawn = express(university, published(employer=employer.employer), students=10)
    services.interest_withdraw(actor=university, interest=withdrawn)
    express(university, published(employer=employer.employer, project_type="directed_training"), students=3)
    express(university, published(employer=employer.employer), students=10)
    left = selectors.university_capacity_left(university.university)
    assert (left["internship_base"]["left"], left["directed_training"]["left"]) == (0, 0)


def test_a_university_without_capacity_for_the_type_is_refused(university, employer, places):
    training = published(employer=employer.employer, project_type="workforce_development")
    with pytest.raises(ValidationError, match="0"):
        express(university, training, students=1)
    assert rows() == []


def test_interests_over_the_calls_allowance_are_refused(university, employer, places):
    call = CallFactory(max_interests_per_university=2)
    first, second, third = (published(employer=employer.employer, call=call) for _ in range(3))
    express(university, first, students=1)
    express(university, second, students=1)
    assert selectors.interest_allowance_left(university.university, call) == 0
    with pytest.raises(ValidationError, match="2"):
        express(university, third, students=1)
    assert Interest.objects.count() == 2


def test_the_allowance_counts_only_the_calls_live_interests(university, employer, places):
    call = CallFactory(max_interests_per_university=1)
    express(university, published(employer=employer.employer), students=1)  # another call
    withdrawn = express(university, published(employer=employer.employer, call=call), students=1)
    services.interest_withdraw(actor=university, interest=withdrawn)
    express(university, published(employer=employer.employer, call=call), students=1)
    with pytest.raises(ValidationError):
        express(university, published(employer=employer.employer, call=call), students=1)
    assert selectors.interest_allowance_left(university.university, call) == 0


@pytest.mark.parametrize("persona", ["employer", "ministry", "anonymous", "pending_university"])
def test_only_verified_universities_express_interest(request, project, persona):
    if persona == "pending_university":
        user = UniversityUserFactory(university__status="pending")
        capacity(user, 10)
    else:
        user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        express(user, project)
    assert rows() == []


# Changing and withdrawing


def test_the_owning_university_changes_its_offer_and_statement(university, interest):
    changed = services.interest_update(
        actor=university, interest=interest, fields={"students_offered": 10, "statement": "新的说明"}
    )
    interest.refresh_from_db()
    assert (changed.students_offered, interest.students_offered, interest.statement) == (10, 10, "新的说明")


def test_a_change_above_capacity_is_refused_and_changes_nothing(university, employer, interest):
    express(university, published(employer=employer.employer), students=3)
    before = rows()
    with pytest.raises(ValidationError) as caught:
        services.interest_update(
            actor=university, interest=interest, fields={"students_offered": 8, "statement": "改"}
        )
    assert "students_offered" in caught.value.message_dict
    assert rows() == before


@pytest.mark.parametrize(
    "fields",
    [{"students_offered": 0}, {"statement": ""}, {"status": "introduced"}, {"contact_phone": "12345"}],
)
def test_bad_changes_are_refused_and_change_nothing(university, interest, fields):
    before = rows()
    with pytest.raises(ValidationError):
        services.interest_update(actor=university, interest=interest, fields=fields)
    assert rows() == before


@pytest.mark.parametrize("persona", ["other_university", "employer", "ministry", "anonymous"])
def test_only_the_owning_university_changes_or_withdraws_an_interest(request, interest, persona):
    user = request.getfixturevalue(persona)
    before = rows()
    with pytest.raises(PermissionDenied):
        services.interest_update(actor=user, interest=interest, fields={"students_offered": 1})
    with pytest.raises(PermissionDenied):
        services.interest_withdraw(actor=user, interest=interest)
    assert rows() == before


def test_a_withdrawn_interest_cannot_be_changed_or_withdrawn_again(university, interest):
    services.interest_withdraw(actor=university, interest=interest)
    with pytest.raises(Conflict):
        services.interest_update(actor=university, interest=interest, fields={"students_offered": 1})
    with pytest.raises(Conflict):
        services.interest_withdraw(actor=university, interest=interest)
    interest.refresh_from_db()
    assert (interest.status, interest.students_offered) == ("withdrawn", 4)


def test_an_introduced_interest_can_no_longer_be_changed_or_withdrawn(university, interest):
    Interest.objects.filter(pk=interest.pk).update(status="introduced")
    with pytest.raises(Conflict):
        services.interest_update(actor=university, interest=interest, fields={"students_offered": 1})
    with pytest.raises(Conflict):
        services.interest_withdraw(actor=university, interest=interest)
    assert Interest.objects.get(pk=interest.pk).status == "introduced"


# The employer's answer


def test_the_employer_welcomes_an_interest_and_the_university_is_emailed_on_commit(
    employer, university, project, interest, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        answered = services.interest_respond(actor=employer, interest=interest, response="welcome")
    assert len(callbacks) == 1
    assert [m.to for m in mailoutbox] == [[university.email]]
    assert project.title in mailoutbox[0].body
    interest.refresh_from_db()
    assert (interest.response, interest.response_reason) == ("welcome", "")
    assert interest.responded_at is not None and answered.responded_at == interest.responded_at
    # A welcome promises no place: only an introduction both sides accept does.
    assert selectors.interest_summary(project) == {"interests": 1, "places_left": 2}


def test_not_a_fit_needs_a_reason(employer, interest, django_capture_on_commit_callbacks, mailoutbox):
    before = rows()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as caught:
        services.interest_respond(actor=employer, interest=interest, response="not_a_fit", reason="  ")
    assert "reason" in caught.value.message_dict
    assert rows() == before and mailoutbox == []

    services.interest_respond(
        actor=employer, interest=interest, response="not_a_fit", reason="我们需要医学影像方向的学生。"
    )
    interest.refresh_from_db()
    assert (interest.response, interest.response_reason) == ("not_a_fit", "我们需要医学影像方向的学生。")


def test_the_employer_may_change_its_answer(employer, interest):
    services.interest_respond(actor=employer, interest=interest, response="not_a_fit", reason="方向不符")
    services.interest_respond(actor=employer, interest=interest, response="welcome")
    interest.refresh_from_db()
    assert (interest.response, interest.response_reason) == ("welcome", "")


def test_an_unknown_answer_is_refused(employer, interest):
    with pytest.raises(ValidationError) as caught:
        services.interest_respond(actor=employer, interest=interest, response="maybe")
    assert "response" in caught.value.message_dict
    assert Interest.objects.get(pk=interest.pk).response == ""


@pytest.mark.parametrize(
    "persona", ["other_employer", "university", "other_university", "ministry", "anonymous"]
)
def test_only_the_projects_employer_answers_an_interest(request, interest, persona, mailoutbox):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        services.interest_respond(actor=user, interest=interest, response="welcome")
    assert Interest.objects.get(pk=interest.pk).response == "" and mailoutbox == []


def test_a_colleague_at_the_same_employer_may_answer(employer, interest):
    colleague = EmployerUserFactory(employer=employer.employer)
    services.interest_respond(actor=colleague, interest=interest, response="welcome")
    assert Interest.objects.get(pk=interest.pk).response == "welcome"


def test_a_withdrawn_interest_cannot_be_answered(employer, university, interest):
    services.interest_withdraw(actor=university, interest=interest)
    with pytest.raises(Conflict):
        services.interest_respond(actor=employer, interest=interest, response="welcome")
    assert Interest.objects.get(pk=interest.pk).response == ""


# Visibility


def test_each_persona_sees_only_the_interests_it_may(
    employer, other_employer, university, other_university, ministry, anonymous, interest
):
    theirs = InterestFactory(university=other_university.university)
    assert list(selectors.interests_visible_to(university)) == [interest]
    assert list(selectors.interests_visible_to(other_university)) == [theirs]
    assert list(selectors.interests_visible_to(employer)) == [interest]
    assert list(selectors.interests_visible_to(other_employer)) == []
    assert set(selectors.interests_visible_to(ministry)) == {interest, theirs}
    assert list(selectors.interests_visible_to(anonymous)) == []


# The capacity race, on the real PostgreSQL


def _attempt(user_pk: int, proposal_pk: int, students: int) -> Callable[[], Callable[[], object]]:
    from accounts.models import User

    def prepare():
        actor = User.objects.select_related("university").get(pk=user_pk)
        proposal = Proposal.objects.select_related("employer", "call").get(pk=proposal_pk)
        return lambda: express(actor, proposal, students=students)

    return prepare


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_interests_that_together_exceed_capacity_exactly_one_succeeds(mailoutbox):
    owner = EmployerUserFactory()
    user = UniversityUserFactory()
    colleague = UniversityUserFactory(university=user.university)
    capacity(user, 10)
    first, second = (published(employer=owner.employer) for _ in range(2))

    outcomes = race(_attempt(user.pk, first.pk, 6), _attempt(colleague.pk, second.pk, 6))

    assert sorted(outcomes) == ["ok", "refused"], outcomes
    [interest] = Interest.objects.all()
    assert interest.students_offered == 6
    assert interest.proposal == (first, second)[outcomes.index("ok")]
    assert [m.to for m in mailoutbox] == [[owner.email]]


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_interests_in_the_same_project_exactly_one_succeeds():
    owner = EmployerUserFactory()
    user = UniversityUserFactory()
    colleague = UniversityUserFactory(university=user.university)
    capacity(user, 10)
    project = published(employer=owner.employer)

    outcomes = race(_attempt(user.pk, project.pk, 2), _attempt(colleague.pk, project.pk, 2))

    assert sorted(outcomes) == ["ok", "refused"], outcomes
    assert Interest.objects.filter(proposal=project).count() == 1
