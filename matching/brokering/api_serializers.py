"""What /api/v1/introductions/ answers: an introduction with its agreement, milestones and
outcome report, and the optional comment that cancelling, returning or accepting takes."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Agreement, Introduction, Milestone, OutcomeReport


class AgreementSerializer(serializers.ModelSerializer):
    document = serializers.SerializerMethodField()

    class Meta:
        model = Agreement
        fields = ["signed_on", "places_agreed", "funding_agreed_cny", "document", "recorded_at"]
        read_only_fields = fields

    def get_document(self, agreement) -> bool:
        return bool(agreement.document)


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["title", "happened_on", "note", "recorded_at"]
        read_only_fields = fields


class OutcomeSerializer(serializers.ModelSerializer):
    class Meta:
        model = OutcomeReport
        fields = [
            "status",
            "students_trained",
            "interns_hosted",
            "graduates_hired",
            "funding_delivered_cny",
            "narrative",
            "comment",
            "submitted_at",
            "confirmed_at",
            "decided_at",
        ]
        read_only_fields = fields


class IntroductionSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    project = serializers.UUIDField(source="proposal.public_id", read_only=True)
    project_title = serializers.CharField(source="proposal.title", read_only=True)
    employer = serializers.CharField(source="proposal.employer.name", read_only=True)
    university = serializers.UUIDField(source="university.public_id", read_only=True)
    university_name = serializers.CharField(source="university.name", read_only=True)
    agreement = serializers.SerializerMethodField()
    milestones = MilestoneSerializer(many=True, read_only=True)
    outcome = serializers.SerializerMethodField()

    class Meta:
        model = Introduction
        fields = [
            "id",
            "project",
            "project_title",
            "employer",
            "university",
            "university_name",
            "status",
            "message",
            "places",
            "employer_response",
            "university_response",
            "decline_reason",
            "decline_comment",
            "sent_at",
            "expires_at",
            "accepted_at",
            "agreement",
            "milestones",
            "outcome",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(AgreementSerializer(allow_null=True))
    def get_agreement(self, introduction) -> dict | None:
        agreement = getattr(introduction, "agreement", None)
        return AgreementSerializer(agreement).data if agreement else None

    @extend_schema_field(OutcomeSerializer(allow_null=True))
    def get_outcome(self, introduction) -> dict | None:
        report = getattr(introduction, "outcome", None)
        return OutcomeSerializer(report).data if report else None


class CommentInput(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
