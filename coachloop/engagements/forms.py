from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from coachloop.access.models import Visibility


class NoteForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    body = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 6}))
    visibility = forms.ChoiceField(
        label=_("Who can read it"), choices=Visibility.choices, initial=Visibility.TEAM
    )
