"""/api/v1/introductions/{id}/: the steps after both sides accept. Either side records the
agreement and milestones; the employer files the outcome report, the university confirms or
returns it, and ministry staff accept or return it."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action

from ..models import OUTCOME_MAX, OutcomeReport
from . import implementation
from .api_serializers import CommentInput, IntroductionSerializer


class AgreementInput(serializers.Serializer):
    signed_on = serializers.DateField()
    places_agreed = serializers.IntegerField(min_value=1, max_value=OUTCOME_MAX)
    funding_agreed_cny = serializers.IntegerField(min_value=0, max_value=10**10, default=0)
    document = serializers.FileField(required=False)


class MilestoneInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    happened_on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class OutcomeInput(serializers.Serializer):
    students_trained = serializers.IntegerField(min_value=0, max_value=OUTCOME_MAX)
    interns_hosted = serializers.IntegerField(min_value=0, max_value=OUTCOME_MAX)
    graduates_hired = serializers.IntegerField(min_value=0, max_value=OUTCOME_MAX)
    funding_delivered_cny = serializers.IntegerField(min_value=0, max_value=10**10, default=0)
    narrative = serializers.CharField(max_length=4000)
    evidence = serializers.FileField(required=False)


# The introduction viewset's actions after acceptance. No docstring: the API schema would take
# it as the description of every introduction endpoint.
class ImplementationActions:
    @extend_schema(request=AgreementInput, responses={200: IntroductionSerializer})
    @action(detail=True, methods=["post"])
    def agreement(self, request, id=None):
        introduction = self.get_object()
        implementation.agreement_record(
            actor=request.user, introduction=introduction, **self._input(AgreementInput)
        )
        return self._output(introduction)

    @extend_schema(request=MilestoneInput, responses={200: IntroductionSerializer})
    @action(detail=True, methods=["post"])
    def milestones(self, request, id=None):
        introduction = self.get_object()
        implementation.milestone_record(
            actor=request.user, introduction=introduction, **self._input(MilestoneInput)
        )
        return self._output(introduction)

    @extend_schema(request=OutcomeInput, responses={200: IntroductionSerializer})
    @action(detail=True, methods=["post"])
    def outcome(self, request, id=None):
        introduction = self.get_object()
        data = self._input(OutcomeInput)
        evidence = data.pop("evidence", None)
        implementation.outcome_submit(
            actor=request.user, introduction=introduction, fields=data, evidence=evidence
        )
        return self._output(introduction)

    def _report(self) -> OutcomeReport:
        introduction = self.get_object()
        report = OutcomeReport.objects.filter(introduction=introduction).first()
        if report is None:
            raise ValidationError(_("No outcome report has been filed yet."))
        report.introduction = introduction
        return report

    @extend_schema(request=None, responses={200: IntroductionSerializer})
    @action(detail=True, methods=["post"], url_path="outcome/confirm")
    def outcome_confirm(self, request, id=None):
        report = implementation.outcome_confirm(actor=request.user, report=self._report())
        return self._output(report.introduction)

    @extend_schema(request=CommentInput, responses={200: IntroductionSerializer})
    @action(detail=True, methods=["post"], url_path="outcome/return")
    def outcome_return(self, request, id=None):
        comment = self._input(CommentInput)["comment"]
        report = implementation.outcome_return(actor=request.user, report=self._report(), comment=comment)
        return self._output(report.introduction)

    @extend_schema(request=CommentInput, responses={200: IntroductionSerializer})
    @action(detail=True, methods=["post"], url_path="outcome/accept")
    def outcome_accept(self, request, id=None):
        comment = self._input(CommentInput)["comment"]
        report = implementation.outcome_accept(actor=request.user, report=self._report(), comment=comment)
        return self._output(report.introduction)
