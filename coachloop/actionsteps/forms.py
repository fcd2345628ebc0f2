"""Forms of the action-step and library pages. The services check the rules; these forms turn
what was typed into their arguments (success criteria one a line) and keep it on errors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coachloop.access.models import Visibility
from coachloop.accounts.models import User
from coachloop.actionsteps import library as lib
from coachloop.actionsteps.models import ActionStepStatus
from coachloop.organisations.models import Organisation

MAX_UPLOAD = lib.MAX_BYTES


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]


class ActionStepForm(forms.Form):
    title = forms.CharField(
        label=_("Action step"),
        max_length=lib.STEP_TITLE_MAX,
        error_messages={
            "required": _("Name the action step: a small, clear, measurable next step.")
        },
        help_text=_("Small, clear and measurable: one thing to do differently next lesson."),
    )
    success_criteria = forms.CharField(
        label=_("Success criteria"),
        error_messages={
            "required": _(
                "Write at least one success criterion: what you will see when it is done well."
            )
        },
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One a line, 1 to 10: what you will see when it is done well."),
    )
    goal = forms.CharField(
        label=_("The larger goal it serves"),
        required=False,
        max_length=lib.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    model = forms.CharField(
        label=_("What effective practice looks like"),
        required=False,
        max_length=lib.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The model you will show and narrate."),
    )
    non_examples = forms.CharField(
        label=_("Non-examples"),
        required=False,
        max_length=lib.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What it does not look like."),
    )
    visibility = forms.ChoiceField(label=_("Who can read it"), choices=Visibility.choices)
    library_step = forms.IntegerField(required=False, widget=forms.HiddenInput)
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        coachees: list[User],
        current_titles: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if len(coachees) > 1:
            self.fields["coachee"] = forms.TypedChoiceField(
                label=_("Teacher"),
                choices=[("", _("Choose…"))] + [(u.pk, str(u)) for u in coachees],
                coerce=int,
                required=False,
            )
        if current_titles:
            titles = ", ".join(f"“{t}”" for t in current_titles)
            self.fields["replace"] = forms.ChoiceField(
                label=_("The current step, %s, is now") % titles,
                choices=[
                    (ActionStepStatus.MASTERED, _("Mastered")),
                    (ActionStepStatus.PAUSED, _("Paused")),
                ],
                required=False,
                widget=forms.RadioSelect,
                help_text=_(
                    "A teacher works on one step at a time: say how the current one ended."
                ),
            )

    def criteria(self) -> list[str]:
        return lines(self.cleaned_data.get("success_criteria", ""))


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=ActionStepStatus.choices)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class StudyResourceForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    url = forms.CharField(
        label=_("Link"),
        max_length=2000,
        required=False,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
        help_text=_("A web address, or leave empty and choose a file."),
    )
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("PDF, Word, Excel, PowerPoint, PNG, JPEG or plain text."),
    )


class LibraryImportForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Library of"), queryset=Organisation.objects.none(), empty_label=None
    )
    file = forms.FileField(
        label=_("Library file"),
        required=False,
        help_text=_("A .csv or .yaml file, as described in the guide below."),
    )
    text = forms.CharField(
        label=_("Or paste the file's text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    format = forms.ChoiceField(
        label=_("Pasted text is"),
        choices=[("csv", "CSV"), ("yaml", "YAML")],
        required=False,
        initial="csv",
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organisations

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is not None and upload.size > MAX_UPLOAD:
            self.add_error("file", _("The file is larger than 2 MB."))
        if upload is None and not (data.get("text") or "").strip():
            self.add_error("file", _("Choose a file, or paste its text below."))
        return data

    def content(self) -> tuple[bytes | str, str]:
        """The file's bytes and name, or the pasted text with a name for its format."""
        upload = self.cleaned_data.get("file")
        if upload is not None:
            return upload.read(), upload.name or ""
        return self.cleaned_data["text"], "pasted." + (self.cleaned_data.get("format") or "csv")


class CategoryForm(forms.Form):
    title = forms.CharField(label=_("Category"), max_length=lib.CATEGORY_TITLE_MAX)
    description = forms.CharField(
        label=_("The larger goal it serves"),
        required=False,
        max_length=lib.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class LibraryStepForm(forms.Form):
    title = forms.CharField(label=_("Action step"), max_length=lib.STEP_TITLE_MAX)
    success_criteria = forms.CharField(
        label=_("Success criteria"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One a line, 1 to 10."),
    )
    model = forms.CharField(
        label=_("What effective practice looks like"),
        required=False,
        max_length=lib.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    non_examples = forms.CharField(
        label=_("Non-examples"),
        required=False,
        max_length=lib.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    resources = forms.CharField(
        label=_("Resources"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One a line: title | https://link"),
    )

    def criteria(self) -> list[str]:
        return lines(self.cleaned_data.get("success_criteria", ""))

    def resource_list(self) -> list[dict[str, str]]:
        out = []
        for line in lines(self.cleaned_data.get("resources", "")):
            title, _sep, url = line.rpartition("|")
            out.append({"title": title.strip(), "url": url.strip()})
        return out
