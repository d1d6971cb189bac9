"""The proposal page tests' fixtures: pages asked for in English with uploads in a scratch
folder, the 2027 call, drafts of the employer and of another, and the draft forms."""

import pytest

from tests.factories import CallFactory, ProposalFactory


@pytest.fixture(autouse=True)
def _english_pages(client, settings, tmp_path):
    """Pages in English (the default language is Chinese) and uploads in a scratch folder."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def call(db):
    return CallFactory(name="2027 年人工智能领域批次", slug="ai-2027")


@pytest.fixture
def draft(employer, call):
    return ProposalFactory(employer=employer.employer, call=call, title="工业视觉质检就业实习基地")


@pytest.fixture
def others_draft(other_employer, call):
    return ProposalFactory(employer=other_employer.employer, call=call, title="别家的草稿")


@pytest.fixture
def minimal_form(call) -> dict:
    return {"call": call.slug, "project_type": "directed_training", "title": "大模型应用开发定向培养班"}


@pytest.fixture
def full_form(minimal_form) -> dict:
    return {
        **minimal_form,
        "summary": "面向大模型应用开发的定向培养。",
        "description": "课程、项目实践与实习。",
        "student_places": "30",
        "partners_sought": "2",
        "host_province": "32",
        "host_city": "南京",
        "duration_months": "12",
        "funding_cny": "300000",
        "in_kind_support": "算力与企业导师",
        "contact_person": "陈静",
        "contact_phone": "13912345678",
        "contact_email": "chen@yuntu.example.cn",
        "training_hours": "120",
        "area:nlp": "3",
        "area:ml.large_models": "1",
    }
