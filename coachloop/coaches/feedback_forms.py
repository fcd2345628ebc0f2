"""Forms of the coaching-feedback pages. They parse what the user typed; the services in
coaches.feedback decide the rules (their messages land here through `add_domain_error`)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from coachloop.coaches.feedback import REPLY_MAX


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("What I will change"),
        max_length=REPLY_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy(
            "Your coachees in this programme, your lead coaches and the programme's "
            "administrators read this reply."
        ),
    )


class CoachSearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Coach"), required=False, max_length=100)
