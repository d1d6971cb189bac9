"""Attaching, downloading and removing files on the proposal pages: a small PDF only, five at
most, and only by the owner while the proposal may be edited."""

import pytest

from projects import services
from projects.models import Attachment
from tests.factories import ProposalFactory
from tests.pages import flashed

from .helpers import LOGIN, MB, PDF, PNG, pdf_upload, published, submitted, url

pytestmark = pytest.mark.django_db


# --- attachments ------------------------------------------------------------------------------


def test_owner_attaches_a_pdf_and_anyone_who_sees_the_proposal_downloads_it(
    client_for, employer, ministry, university, draft
):
    response = client_for(employer).post(url("attachment-add", draft), {"file": pdf_upload("方案.pdf")})

    attachment = Attachment.objects.get()
    assert response.status_code == 302 and response.url.endswith("#attachments")
    assert attachment.name == "方案.pdf" and attachment.size == len(PDF)
    detail = client_for(employer).get(url("proposal-detail", draft)).content.decode()
    download_url = url("attachment-download", draft, attachment.public_id)
    assert download_url in detail and "/media/" not in detail
    for user in (employer, ministry):
        download = client_for(user).get(download_url)
        assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
        assert download["Content-Disposition"].startswith("attachment;")
    assert client_for(university).get(download_url).status_code == 404
    published(draft, employer, ministry)
    assert client_for(university).get(download_url).status_code == 200


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (("picture.pdf", PNG), "Only PDF files can be attached."),
        (("notes.pdf", b"just some text"), "Only PDF files can be attached."),
        (("big.pdf", b"%PDF-" + b"0" * (11 * MB)), "A file may be at most 10 MB."),
    ],
)
def test_a_file_that_is_not_a_small_pdf_is_refused(client_for, employer, draft, upload, message):
    name, content = upload

    response = client_for(employer).post(url("attachment-add", draft), {"file": pdf_upload(name, content)})

    assert response.status_code == 302 and flashed(response) == [message]
    assert not Attachment.objects.exists()


def test_a_sixth_attachment_is_refused(client_for, employer, draft):
    client = client_for(employer)
    for n in range(5):
        client.post(url("attachment-add", draft), {"file": pdf_upload(f"{n}.pdf")})

    response = client.post(url("attachment-add", draft), {"file": pdf_upload("6.pdf")})

    assert flashed(response)[-1] == "A proposal may have at most 5 attachments."
    assert Attachment.objects.count() == 5


def test_an_empty_upload_is_refused_with_a_message(client_for, employer, draft):
    response = client_for(employer).post(url("attachment-add", draft), {})

    assert response.status_code == 302 and flashed(response) and not Attachment.objects.exists()


def test_owner_removes_an_attachment(client_for, employer, draft):
    attachment = services.attachment_add(actor=employer, proposal=draft, upload=pdf_upload())

    response = client_for(employer).post(
        url("attachment-delete", draft, attachment.public_id), {"next": url("proposal-edit", draft)}
    )

    assert response.status_code == 302 and response.url == url("proposal-edit", draft) + "#attachments"
    assert not Attachment.objects.exists()


def test_attachments_of_a_proposal_under_review_cannot_change(client_for, employer, draft):
    attachment = services.attachment_add(actor=employer, proposal=draft, upload=pdf_upload())
    submitted(draft, employer)
    client = client_for(employer)

    added = client.post(url("attachment-add", draft), {"file": pdf_upload()})
    removed = client.post(url("attachment-delete", draft, attachment.public_id))

    assert "Only drafts" in flashed(added)[-1] and "Only drafts" in flashed(removed)[-1]
    assert Attachment.objects.count() == 1


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("other_employer", 404),
        ("university", 404),
        ("ministry", 403),
    ],
)
def test_only_the_owner_attaches_and_removes(request, client_for, employer, draft, persona, expected):
    attachment = services.attachment_add(actor=employer, proposal=draft, upload=pdf_upload())
    client = client_for(request.getfixturevalue(persona))

    assert client.post(url("attachment-add", draft), {"file": pdf_upload()}).status_code == expected
    assert client.post(url("attachment-delete", draft, attachment.public_id)).status_code == expected
    assert list(Attachment.objects.all()) == [attachment]


def test_an_attachment_is_found_only_under_its_own_proposal(client_for, employer, call, draft):
    other = ProposalFactory(employer=employer.employer, call=call)
    attachment = services.attachment_add(actor=employer, proposal=other, upload=pdf_upload())

    response = client_for(employer).get(url("attachment-download", draft, attachment.public_id))

    assert response.status_code == 404


def test_anonymous_visitor_is_sent_to_log_in_for_a_published_attachment(
    client_for, anonymous, employer, ministry, draft
):
    attachment = services.attachment_add(actor=employer, proposal=draft, upload=pdf_upload())
    download_url = url("attachment-download", draft, attachment.public_id)

    assert client_for(anonymous).get(download_url).status_code == 404
    published(draft, employer, ministry)
    response = client_for(anonymous).get(download_url)
    assert response.status_code == 302 and response.url.startswith(f"{LOGIN}?next=")
