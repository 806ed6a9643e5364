"""Storing a submission: one transaction, once per submission key, invitation used in it.

A double click, a refresh or a resubmission carries the same key (the draft's
``submission_key``, or the UUID the one-page form was rendered with): the unique constraint on
(campaign, submission_key) makes the second one find the first, which is then "already stored".
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping

from django.db import IntegrityError, transaction
from django.utils import timezone

from urbansafety.survey.model import Answer, Questionnaire
from urbansafety.survey.responses import answers_json
from urbansafety.web.surveys.models import Campaign, Draft, Invitation, Response


class InvitationUsed(Exception):
    """The invitation was already used for another response."""


def plain_answers(values: Mapping[str, Answer]) -> dict[str, object]:
    """Return cleaned answers as JSON values: lists for multiple choices, ISO text for dates."""
    return dict(json.loads(answers_json(values)))


def neighbourhood_of(form: Questionnaire, values: Mapping[str, Answer]) -> str:
    """Return the answer to the form's first neighbourhood question ('' if none)."""
    for q in form.questions():
        if q.type == "neighbourhood" and q.name in values:
            return str(values[q.name])
    return ""


def store_response(
    campaign: Campaign,
    form: Questionnaire,
    submission_key: uuid.UUID,
    values: Mapping[str, Answer],
    language: str,
    *,
    invitation: Invitation | None = None,
    draft: Draft | None = None,
    source: str = "web",
) -> tuple[Response, bool]:
    """Store a response once; return it and whether it is new (False: already stored).

    Raise InvitationUsed if the invitation served another response. The draft, if any, is
    deleted in the same transaction.
    """
    with transaction.atomic():
        existing = Response.objects.filter(campaign=campaign, submission_key=submission_key).first()
        if existing is not None:
            return existing, False
        if invitation is not None:
            invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
            if invitation.used_at is not None:
                raise InvitationUsed()
        try:
            with transaction.atomic():  # a savepoint: a concurrent twin's insert wins cleanly
                response = Response.objects.create(
                    campaign=campaign,
                    submission_key=submission_key,
                    language=language,
                    answers=plain_answers(values),
                    neighbourhood=neighbourhood_of(form, values),
                    source=source,
                )
        except IntegrityError:
            return Response.objects.get(campaign=campaign, submission_key=submission_key), False
        if invitation is not None:
            invitation.used_at = timezone.now()
            invitation.save(update_fields=["used_at"])
        if draft is not None:
            Draft.objects.filter(pk=draft.pk).delete()
    return response, True
