"""The program's AI focus areas, which proposals name and universities claim strength in."""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..provinces import localised


class FocusArea(models.Model):
    """The program's AI focus-area taxonomy: six priority areas and their sub-areas."""

    code = models.CharField(
        _("code"),
        max_length=64,
        unique=True,
        validators=[RegexValidator(r"^[a-z_]+(\.[a-z_]+)?$")],
        help_text=_("A short code; a sub-area's is its parent's code, a dot and its own."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("focus area")
        verbose_name_plural = _("focus areas")

    def __str__(self) -> str:
        return str(self.name)

    @property
    def name(self) -> str:
        return localised(self.name_zh, self.name_en)
