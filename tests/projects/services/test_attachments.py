"""Attachments: PDF only (checked by content), ten megabytes and five files at most, only by
the owner and only while the proposal may be edited."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from projects import services
from projects.models import Attachment, Proposal
from tests.factories import ProposalFactory

from .helpers import MB, PDF, PNG

# --- attachments -----------------------------------------------------------------------------


def pdf(name: str = "项目方案.pdf", size: int | None = None) -> SimpleUploadedFile:
    content = PDF if size is None else PDF + b"\n" * (size - len(PDF))  # still a readable PDF
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def files_under(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()]


def test_a_pdf_is_attached_and_stored(employer, draft, media):
    attachment = services.attachment_add(actor=employer, proposal=draft, upload=pdf())

    saved = Attachment.objects.get(pk=attachment.pk)
    assert (saved.proposal, saved.name, saved.size) == (draft, "项目方案.pdf", len(PDF))
    [path] = files_under(media)
    assert path.read_bytes() == PDF


def test_a_png_renamed_to_pdf_is_refused(employer, draft, media):
    upload = SimpleUploadedFile("方案.pdf", PNG, content_type="application/pdf")

    with pytest.raises(ValidationError) as exc:
        services.attachment_add(actor=employer, proposal=draft, upload=upload)

    assert set(exc.value.message_dict) == {"file"}
    assert not Attachment.objects.exists()
    assert files_under(media) == []


def test_a_file_of_exactly_ten_megabytes_is_accepted(employer, draft, media):
    services.attachment_add(actor=employer, proposal=draft, upload=pdf(size=10 * MB))

    assert Attachment.objects.get().size == 10 * MB


def test_a_file_over_ten_megabytes_is_refused(employer, draft, media):
    with pytest.raises(ValidationError) as exc:
        services.attachment_add(actor=employer, proposal=draft, upload=pdf(size=10 * MB + 1))

    assert set(exc.value.message_dict) == {"file"}
    assert not Attachment.objects.exists()
    assert files_under(media) == []


def test_a_sixth_attachment_is_refused(employer, draft, media):
    for i in range(5):
        services.attachment_add(actor=employer, proposal=draft, upload=pdf(f"附件{i}.pdf"))

    with pytest.raises(ValidationError) as exc:
        services.attachment_add(actor=employer, proposal=draft, upload=pdf("附件6.pdf"))

    assert set(exc.value.message_dict) == {"file"}
    assert draft.attachments.count() == 5
    assert len(files_under(media)) == 5


def test_a_stale_copy_of_a_submitted_proposal_takes_no_attachment(employer, draft, media):
    stale = Proposal.objects.get(pk=draft.pk)  # the edit page was open in another tab
    services.proposal_submit(actor=employer, proposal=draft)

    with pytest.raises(ValidationError):
        services.attachment_add(actor=employer, proposal=stale, upload=pdf())

    assert not Attachment.objects.exists()
    assert files_under(media) == []


def test_a_returned_proposal_takes_attachments(employer, call, media):
    proposal = ProposalFactory(employer=employer.employer, call=call, status="returned")

    services.attachment_add(actor=employer, proposal=proposal, upload=pdf())

    assert proposal.attachments.count() == 1


@pytest.mark.parametrize("status", ["submitted", "published", "rejected", "withdrawn"])
def test_no_attachment_is_added_to_a_proposal_under_review_or_decided(status, employer, call, media):
    proposal = ProposalFactory(employer=employer.employer, call=call, status=status)

    with pytest.raises(ValidationError):
        services.attachment_add(actor=employer, proposal=proposal, upload=pdf())

    assert not Attachment.objects.exists()
    assert files_under(media) == []


@pytest.mark.parametrize("persona", ["other_employer", "ministry", "university", "anonymous"])
def test_only_the_owner_attaches_files(persona, draft, media, request):
    with pytest.raises(PermissionDenied):
        services.attachment_add(actor=request.getfixturevalue(persona), proposal=draft, upload=pdf())

    assert not Attachment.objects.exists()
    assert files_under(media) == []


def test_the_owner_removes_an_attachment_and_its_file(employer, draft, media):
    attachment = services.attachment_add(actor=employer, proposal=draft, upload=pdf())

    services.attachment_remove(actor=employer, attachment=attachment)

    assert not Attachment.objects.exists()
    assert files_under(media) == []


@pytest.mark.parametrize("persona", ["other_employer", "ministry", "university", "anonymous"])
def test_only_the_owner_removes_an_attachment(persona, employer, draft, media, request):
    attachment = services.attachment_add(actor=employer, proposal=draft, upload=pdf())

    with pytest.raises(PermissionDenied):
        services.attachment_remove(actor=request.getfixturevalue(persona), attachment=attachment)

    assert Attachment.objects.filter(pk=attachment.pk).exists()
    assert len(files_under(media)) == 1


def test_an_attachment_of_a_submitted_proposal_cannot_be_removed(employer, draft, media):
    attachment = services.attachment_add(actor=employer, proposal=draft, upload=pdf())
    services.proposal_submit(actor=employer, proposal=draft)
    attachment = Attachment.objects.select_related("proposal").get(pk=attachment.pk)

    with pytest.raises(ValidationError):
        services.attachment_remove(actor=employer, attachment=attachment)

    assert Attachment.objects.filter(pk=attachment.pk).exists()
    assert len(files_under(media)) == 1


def test_an_attachment_loaded_before_submission_cannot_be_removed_after_it(employer, draft, media):
    attachment = services.attachment_add(actor=employer, proposal=draft, upload=pdf())
    stale = Attachment.objects.select_related("proposal").get(pk=attachment.pk)
    services.proposal_submit(actor=employer, proposal=draft)

    with pytest.raises(ValidationError):
        services.attachment_remove(actor=employer, attachment=stale)

    assert Attachment.objects.filter(pk=attachment.pk).exists()
    assert len(files_under(media)) == 1
