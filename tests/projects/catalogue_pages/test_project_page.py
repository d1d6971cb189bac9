"""A published project's page: contact details for verified universities and the ministry only,
attachments, interest counts, a university's capacity and allowance; unpublished is 404."""

import re

import pytest
from django.urls import reverse

from matching.brokering.introductions import project_refresh
from tests.factories import InterestFactory, IntroductionFactory, ProposalFactory

from .helpers import detail_url, give_capacity, publish, text

pytestmark = pytest.mark.django_db


# --- the project page -------------------------------------------------------------------------


def test_anonymous_visitors_see_the_project_without_contact_details(client_for, anonymous, project):
    response = client_for(anonymous).get(detail_url(project))

    html = text(response)
    assert response.status_code == 200
    for shown in (
        project.title,
        project.employer.name,
        "Enterprise",
        "Computer vision",
        "100%",
        "Jiangsu 苏州",
        "GPU 服务器与企业导师",
        "200,000",
        project.call.name,
    ):
        assert shown in html
    assert project.contact_phone not in html and project.contact_email not in html
    assert 'id="log-in-to-express"' in html and 'id="interest-form"' not in html


@pytest.mark.parametrize("persona", ["university", "ministry"])
def test_verified_universities_and_ministry_see_the_contact_details(client_for, project, persona, request):
    response = client_for(request.getfixturevalue(persona)).get(detail_url(project))

    assert response.status_code == 200
    assert project.contact_phone in text(response) and project.contact_email in text(response)


@pytest.mark.parametrize("status", ["draft", "submitted", "returned", "rejected", "withdrawn"])
@pytest.mark.parametrize("persona", ["anonymous", "university", "employer", "ministry"])
def test_an_unpublished_project_is_not_found(client_for, status, persona, request):
    owner = request.getfixturevalue("employer")
    proposal = ProposalFactory(status=status, employer=owner.employer)

    response = client_for(request.getfixturevalue(persona)).get(detail_url(proposal))

    assert response.status_code == 404


def test_the_page_links_attachments_and_counts_interests(client_for, university, project):
    project.attachments.create(file="proposals/plan.pdf", name="实施方案.pdf", size=1200)
    InterestFactory(proposal=project, response="welcome")
    InterestFactory(proposal=project)
    InterestFactory(proposal=project, status="withdrawn")
    project_refresh(IntroductionFactory(proposal=project, status="accepted").proposal)

    html = text(client_for(university).get(detail_url(project)))

    attachment = project.attachments.get()
    assert reverse("projects:attachment-download", args=[project.public_id, attachment.public_id]) in html
    assert re.search(r'id="interest-count">2<', html) and re.search(r'id="places-left">1<', html)


def test_a_verified_university_sees_its_capacity_and_allowance(client_for, university, project):
    give_capacity(university, 30)
    project.call.max_interests_per_university = 3
    project.call.save()
    InterestFactory(university=university.university, students_offered=8, proposal=publish(call=project.call))

    html = text(client_for(university).get(detail_url(project)))

    assert 'id="interest-form"' in html
    assert "Student places left for Employment internship base: <strong>22</strong> of 30 (8 offered" in html
    assert "may express interest in 2 more projects in this call" in html
    assert 'value="李娜"' in html  # the contact fields start with the university's


def test_a_pending_university_is_told_to_wait_for_verification(client_for, pending_university, project):
    html = text(client_for(pending_university).get(detail_url(project)))
    assert 'id="verification-needed"' in html and 'id="interest-form"' not in html


def test_the_employer_and_ministry_see_a_link_to_the_interests(client_for, employer, ministry):
    project = publish(employer=employer.employer)
    link = reverse("projects:proposal-interests", args=[project.public_id])

    assert link in text(client_for(employer).get(detail_url(project)))
    assert link in text(client_for(ministry).get(detail_url(project)))
    assert link not in text(client_for(None).get(detail_url(project)))
    owner_page = client_for(employer).get(reverse("projects:proposal-detail", args=[project.public_id]))
    assert link in text(owner_page)
