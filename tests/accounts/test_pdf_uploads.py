"""Uploaded PDFs are read with pypdf and refused when they carry active content: JavaScript,
actions that launch programs, embedded files; unreadable or password-protected ones too."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from accounts.validators import validate_pdf
from projects.models import Attachment
from tests.factories import ProposalFactory, plain_pdf


def written(change=None, password=None) -> SimpleUploadedFile:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if change:
        change(writer)
    if password is not None:
        writer.encrypt(user_password=password, owner_password="owner")
    out = io.BytesIO()
    writer.write(out)
    return SimpleUploadedFile("plan.pdf", out.getvalue(), content_type="application/pdf")


def launch_on_open(writer):
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("calc.exe")}
    )


def document_javascript(writer):
    action = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")}
    )
    names = ArrayObject([TextStringObject("start"), writer._add_object(action)])
    writer._root_object[NameObject("/Names")] = DictionaryObject(
        {NameObject("/JavaScript"): DictionaryObject({NameObject("/Names"): names})}
    )


def script_in_a_link(writer):
    action = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")}
    )
    link = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/A"): writer._add_object(action),
        }
    )
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(link)])


@pytest.mark.parametrize(
    "change",
    [
        document_javascript,
        lambda writer: writer.add_attachment("payload.exe", b"MZ..."),
        launch_on_open,
        script_in_a_link,
    ],
    ids=["document-javascript", "embedded-file", "launch-action", "javascript-link"],
)
def test_a_pdf_with_active_content_is_refused(change):
    with pytest.raises(ValidationError, match="scripts, actions that open programs or embedded files"):
        validate_pdf(written(change))


def test_a_plain_pdf_passes_and_can_be_read_again():
    upload = SimpleUploadedFile("plan.pdf", plain_pdf())
    validate_pdf(upload)
    assert upload.read(5) == b"%PDF-"
    validate_pdf(written(password=""))  # encrypted, but without a password to open it


def test_a_password_protected_or_unreadable_pdf_is_refused():
    with pytest.raises(ValidationError, match="password"):
        validate_pdf(written(password="secret"))
    with pytest.raises(ValidationError, match="cannot be read"):
        validate_pdf(SimpleUploadedFile("plan.pdf", b"%PDF-1.7\n%%EOF\n"))


@pytest.mark.django_db
def test_the_attachment_page_refuses_a_pdf_with_javascript_and_keeps_nothing(client_for, employer):
    draft = ProposalFactory(employer=employer.employer)
    response = client_for(employer).post(
        f"/proposals/{draft.public_id}/attachments/",
        {"file": written(document_javascript)},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code in {302, 400}
    assert not Attachment.objects.filter(proposal=draft).exists()
