"""What a project's contact fields show, to whom (PIPL: minimum necessary)."""

from rest_framework import serializers

from .. import services


class ContactFields(serializers.Serializer):
    """A project's contact person, phone and email, null unless services.contact_view shows them
    to this reader; `record_views` says whether this serializer's channel records a view."""

    record_views = False
    contact_person = serializers.SerializerMethodField()
    contact_phone = serializers.SerializerMethodField()
    contact_email = serializers.SerializerMethodField()

    def _contact(self, proposal) -> services.ContactView:
        shown = self.context.setdefault("contacts", {})
        if proposal.pk not in shown:  # one view (and one record) per project, not per field
            shown[proposal.pk] = services.contact_view(
                actor=self.context["request"].user, proposal=proposal, record=self.record_views
            )
        return shown[proposal.pk]

    def get_contact_person(self, proposal) -> str | None:
        return self._contact(proposal).person

    def get_contact_phone(self, proposal) -> str | None:
        return self._contact(proposal).phone

    def get_contact_email(self, proposal) -> str | None:
        return self._contact(proposal).email
