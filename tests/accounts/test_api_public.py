"""The accounts REST API's public reads: the focus-area taxonomy, and the OpenAPI schema and
docs (complete, without warnings, loading nothing from the internet)."""

import json
import re

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

TOP_LEVEL_AREAS = ["algorithms", "ml", "nlp", "cv", "robotics", "tools"]


def test_focus_areas_are_public_with_six_top_level_areas(api_for, anonymous):
    response = api_for(anonymous).get("/api/v1/focus-areas/")

    assert response.status_code == 200
    areas = response.json()
    top = [a["code"] for a in areas if a["parent"] is None]
    assert top == TOP_LEVEL_AREAS
    subs = [a for a in areas if a["parent"] is not None]
    assert {a["parent"] for a in subs} == set(TOP_LEVEL_AREAS)
    assert all(a["code"].startswith(a["parent"] + ".") for a in subs)
    assert all(a["name_zh"] and a["name_en"] for a in areas)


def test_a_sub_area_is_addressed_by_its_code(api_for, anonymous):
    response = api_for(anonymous).get("/api/v1/focus-areas/cv.medical_imaging/")

    assert response.status_code == 200
    assert response.json() == {
        "code": "cv.medical_imaging",
        "name_zh": "医学影像分析",
        "name_en": "Medical imaging",
        "parent": "cv",
    }


# --- schema and docs -----------------------------------------------------------------------


def test_openapi_schema_lists_the_accounts_endpoints(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    paths = json.loads(response.content)["paths"]
    for path in [
        "/api/v1/employers/",
        "/api/v1/employers/{id}/verify/",
        "/api/v1/employers/{id}/reject/",
        "/api/v1/universities/{id}/",
        "/api/v1/focus-areas/",
        "/api/v1/me/",
        "/api/v1/auth/token/",
    ]:
        assert path in paths


def test_openapi_schema_generates_without_warnings(tmp_path):
    call_command("spectacular", validate=True, fail_on_warn=True, file=str(tmp_path / "schema.yml"))

    assert "openapi:" in (tmp_path / "schema.yml").read_text()


def test_api_docs_page_loads_nothing_from_the_internet(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    references = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)""", html)
    assert references, "the docs page should load its scripts and styles"
    assert not [ref for ref in references if re.match(r"(?i)(https?:)?//", ref)]
    assert not re.search(r"""(?i)url\(\s*["']?(https?:)?//""", html)
