"""Fixtures for the accounts tests: valid registration input (as fields, as the registration
form and as the API's payload), row counts, and a compiled Chinese catalogue so that "sent in the
user's language" can fail. Plain helpers the test modules share are in helpers.py."""

import struct

import pytest

from accounts.models import (
    AuditEvent,
    Employer,
    University,
    UniversityCapacity,
    UniversityStrength,
    User,
)
from accounts.validators import credit_code_check_char
from tests.accounts.helpers import NEW_PASSWORD

ZH_SUBJECTS = {
    "Registration received: awaiting verification": "注册信息已收到，等待认证",
    "%(organisation)s is verified": "%(organisation)s 已通过认证",
    "%(organisation)s was not verified": "%(organisation)s 未通过认证",
}


def code_with_check(first17: str) -> str:
    return first17 + credit_code_check_char(first17)


def row_counts() -> dict[str, int]:
    """The rows that registration, review and profile changes may write."""
    models = (Employer, University, User, AuditEvent, UniversityStrength, UniversityCapacity)
    return {model.__name__: model.objects.count() for model in models}


@pytest.fixture
def employer_fields() -> dict:
    return {
        "name": "南京云图智能科技有限公司",
        "credit_code": code_with_check("91320100MA1N2P3Q4"),
        "kind": Employer.Kind.ENTERPRISE,
        "province": "32",
        "city": "南京",
        "industry": "智能制造",
        "contact_person": "陈静",
        "phone": "13912345678",
        "email": "chen.jing@yuntu.example.cn",
    }


@pytest.fixture
def university_fields() -> dict:
    return {
        "name": "浙江数智大学",
        "institution_code": "4133099901",
        "tier": University.Tier.UNDERGRADUATE,
        "province": "33",
        "city": "杭州",
        "contact_person": "周敏",
        "phone": "13712345678",
        "email": "ai-office@szdx.example.edu.cn",
    }


@pytest.fixture
def employer_form(employer_fields):
    return {
        **employer_fields,
        "username": "yuntu",
        "password": NEW_PASSWORD,
        "password_confirm": NEW_PASSWORD,
    }


@pytest.fixture
def university_form(university_fields):
    return {
        **university_fields,
        "username": "szdx",
        "password": NEW_PASSWORD,
        "password_confirm": NEW_PASSWORD,
    }


@pytest.fixture
def employer_payload(employer_fields):
    return {**employer_fields, "username": "yuntu", "password": NEW_PASSWORD}


@pytest.fixture
def university_payload(university_fields):
    return {**university_fields, "username": "szdx", "password": NEW_PASSWORD}


def _mo_bytes(messages: dict[str, str]) -> bytes:
    """A GNU .mo catalogue (the format msgfmt writes), so no gettext tools are needed."""
    catalogue = {
        "": "Content-Type: text/plain; charset=UTF-8\nPlural-Forms: nplurals=1; plural=0;\n",
        **messages,
    }
    keys = sorted(catalogue)
    ids = strs = b""
    entries = []
    for key in keys:
        key_bytes, value_bytes = key.encode(), catalogue[key].encode()
        entries.append((len(ids), len(key_bytes), len(strs), len(value_bytes)))
        ids += key_bytes + b"\0"
        strs += value_bytes + b"\0"
    header_size, n = 7 * 4, len(keys)
    ids_start = header_size + 16 * n
    strs_start = ids_start + len(ids)
    key_table = b"".join(struct.pack("<2I", length, ids_start + off) for off, length, _, _ in entries)
    value_table = b"".join(struct.pack("<2I", length, strs_start + off) for _, _, off, length in entries)
    header = struct.pack("<7I", 0x950412DE, 0, n, header_size, header_size + 8 * n, 0, 0)
    return header + key_table + value_table + ids + strs


@pytest.fixture
def zh_catalogue(settings, tmp_path):
    """Chinese translations of the email subjects, whatever state locale/ is in."""
    messages_dir = tmp_path / "zh_Hans" / "LC_MESSAGES"
    messages_dir.mkdir(parents=True)
    (messages_dir / "django.mo").write_bytes(_mo_bytes(ZH_SUBJECTS))
    # Changing LOCALE_PATHS makes Django drop its cached catalogues (and again on restore).
    settings.LOCALE_PATHS = [tmp_path]
    return ZH_SUBJECTS
