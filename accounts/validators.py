"""Validators for the identifiers the program uses."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

# GB 32100-2015: the 31 characters allowed (no I, O, Z, S, V) and the weights of positions 1-17.
CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# [0-9], not \d: \d also matches full-width and other Unicode digits, which have no weight.
_CREDIT_CODE_SHAPE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}\Z")


def credit_code_check_char(first17: str) -> str:
    """The check character (position 18) that GB 32100-2015 gives for the first 17."""
    total = sum(CREDIT_CODE_CHARSET.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    if len(value) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(length)d."),
            code="credit_code_length",
            params={"length": len(value)},
        )
    if not _CREDIT_CODE_SHAPE.match(value):
        raise ValidationError(
            _(
                "A unified social credit code uses digits and capital letters except I, O, Z, S "
                "and V, and characters 3 to 8 are a division code of digits."
            ),
            code="credit_code_format",
        )
    if value[17] != credit_code_check_char(value[:17]):
        # The expected character is not shown: a typo elsewhere would otherwise be "fixed" by
        # copying it, leaving a wrong code that passes.
        raise ValidationError(
            _(
                "The check character (the 18th) of this unified social credit code is wrong; "
                "please check the code against the business licence or registration certificate."
            ),
            code="credit_code_check",
        )


# Characters 3 to 8 are the registering authority's division code (GB/T 2260); 100000 is the
# national level, which says nothing of the province.
NATIONAL_DIVISION = "100000"


def credit_code_province(code: str) -> str | None:
    """The province whose authority registered the code, or None when the code does not say
    (issued nationally, or not a credit code's shape)."""
    division = code[2:8]
    if len(code) != 18 or not division.isdigit() or division == NATIONAL_DIVISION:
        return None
    return division[:2]


# [0-9] and \Z, not \d and $: \d also matches full-width digits, $ a trailing newline.
validate_mobile = RegexValidator(
    r"^1[3-9][0-9]{9}\Z", _("Enter an 11-digit mainland China mobile number."), code="mobile"
)
validate_institution_code = RegexValidator(
    r"^[0-9]{10}\Z", _("An institution code has 10 digits."), code="institution_code"
)


MAX_PDF_BYTES = 10 * 1024 * 1024


# PDF actions that run something: a script, another program, or data from elsewhere.
ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/Rendition", "/RichMediaExecute"}
# Names whose presence means script or embedded content, wherever they appear.
ACTIVE_KEYS = {"/JS", "/JavaScript", "/EmbeddedFiles", "/EmbeddedFile", "/RichMedia", "/XFA"}
# A PDF's object graph is walked up to this many objects: enough for any real document.
MAX_PDF_OBJECTS = 100_000


def validate_pdf(upload) -> None:
    """A PDF, judged by its content, not its name, of at most 10 MB, read by pypdf, with no
    active content: no JavaScript, no Launch or other running actions, no embedded files."""
    if upload.size > MAX_PDF_BYTES:
        raise ValidationError(_("A file may be at most 10 MB."))
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head != b"%PDF-":
        raise ValidationError(_("Only PDF files can be attached."))
    try:
        reader = PdfReader(upload)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValidationError(
                _("A password-protected PDF cannot be checked: please attach it without a password.")
            )
        active = _active_content(reader.trailer["/Root"])
    except (PdfReadError, ValueError, KeyError, TypeError, RecursionError):
        raise ValidationError(_("This PDF cannot be read.")) from None
    finally:
        upload.seek(0)
    if active:
        raise ValidationError(
            _(
                "PDFs with scripts, actions that open programs or embedded files "
                "are refused: please attach a plain PDF (print it to PDF again)."
            )
        )


def _active_content(root) -> bool:
    """Whether any object reachable from the document's catalogue is active content (the
    streams' data is not read: only the dictionaries that describe them)."""
    seen, stack = set(), [root]
    while stack:
        node = stack.pop()
        if isinstance(node, IndirectObject):
            if node.idnum in seen:
                continue
            seen.add(node.idnum)
            if len(seen) > MAX_PDF_OBJECTS:
                raise ValueError("too many objects")
            node = node.get_object()
        if isinstance(node, DictionaryObject):
            if (
                ACTIVE_KEYS & set(node)
                or node.get("/S") in ACTIVE_ACTIONS
                or node.get("/Subtype") == "/FileAttachment"
            ):
                return True
            stack.extend(node.values())
        elif isinstance(node, ArrayObject):
            stack.extend(node)
    return False


def validate_single_line(value: str) -> None:
    """Titles and names are one line: a line break would also break the emails that name them."""
    if any(character in value for character in "\r\n\u2028\u2029\x0b\x0c\x85"):
        raise ValidationError(_("This must be on one line."), code="line_break")
