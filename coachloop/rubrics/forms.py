from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coachloop.access.models import Visibility
from coachloop.lib.errors import DomainError
from coachloop.playbooks.schema import CriterionSpec, RubricSpec


@dataclass
class LevelOption:
    radio: Any  # the bound radio input
    score: int
    label: str
    descriptor: str


@dataclass
class CriterionRow:
    spec: CriterionSpec
    level: forms.BoundField
    levels: list[LevelOption]
    evidence: forms.BoundField | None
    comment: forms.BoundField | None

    @property
    def errors(self) -> list[str]:
        return [str(error) for error in self.level.errors]


class RatingsMixin:
    """One radio group per criterion (levels with their descriptors), optionally with evidence
    and a comment. Every level is optional here: the rubric service names each criterion that
    lacks one, so pages and the API say the same."""

    fields: dict[str, forms.Field]
    rubric: RubricSpec
    prefix_key = "c"

    def add_rating_fields(self, rubric: RubricSpec, *, notes: bool) -> None:
        self.rubric = rubric
        choices = [(str(level.score), f"{level.score} {level.label}") for level in rubric.levels]
        for criterion in rubric.criteria:
            self.fields[self.level_name(criterion.key)] = forms.ChoiceField(
                label=criterion.title,
                choices=choices,
                required=False,
                widget=forms.RadioSelect,
            )
            if notes:
                self.fields[f"{self.prefix_key}-{criterion.key}-evidence"] = forms.CharField(
                    label=_("Evidence"),
                    required=False,
                    max_length=20_000,
                    widget=forms.Textarea(attrs={"rows": 2}),
                )
                self.fields[f"{self.prefix_key}-{criterion.key}-comment"] = forms.CharField(
                    label=_("Comment"),
                    required=False,
                    max_length=20_000,
                    widget=forms.Textarea(attrs={"rows": 2}),
                )

    def level_name(self, key: str) -> str:
        return f"{self.prefix_key}-{key}-level"

    def criterion_rows(self) -> list[CriterionRow]:
        form: Any = self
        rows = []
        for criterion in self.rubric.criteria:
            level = form[self.level_name(criterion.key)]
            options = [
                LevelOption(
                    radio, spec.score, spec.label, criterion.descriptors.get(spec.score, "")
                )
                for radio, spec in zip(level.subwidgets, self.rubric.levels, strict=True)
            ]
            evidence_name = f"{self.prefix_key}-{criterion.key}-evidence"
            comment_name = f"{self.prefix_key}-{criterion.key}-comment"
            rows.append(
                CriterionRow(
                    criterion,
                    level,
                    options,
                    form[evidence_name] if evidence_name in self.fields else None,
                    form[comment_name] if comment_name in self.fields else None,
                )
            )
        return rows

    def ratings(self, cleaned: dict[str, Any]) -> dict[str, dict[str, Any]]:
        """The ratings as the rubric service takes them; criteria left blank are left out."""
        out: dict[str, dict[str, Any]] = {}
        for criterion in self.rubric.criteria:
            level = cleaned.get(self.level_name(criterion.key)) or ""
            evidence = cleaned.get(f"{self.prefix_key}-{criterion.key}-evidence") or ""
            comment = cleaned.get(f"{self.prefix_key}-{criterion.key}-comment") or ""
            if level or evidence or comment:
                out[criterion.key] = {"level": level, "evidence": evidence, "comment": comment}
        return out

    def add_domain_errors(self, error: DomainError) -> None:
        """Put each message where it belongs: a criterion's on its radio group, a field's on
        the field, the rest above the form."""
        form: Any = self
        if not error.errors:
            form.add_error(None, error.message)
            return
        on_criteria = False
        for key, message in error.errors.items():
            name = self.level_name(key)
            if name in self.fields:
                form.add_error(name, message)
                on_criteria = True
            elif key in self.fields:
                form.add_error(key, message)
            else:
                form.add_error(None, message)
        if on_criteria:
            form.add_error(None, error.message)


class ScoreForm(RatingsMixin, forms.Form):
    subject = forms.CharField(
        label=_("What was scored"),
        max_length=200,
        help_text=_("For example: the data meeting of 12 March, practice."),
        error_messages={"required": _("Say what was scored.")},
    )

    def __init__(
        self, *args: Any, rubric: RubricSpec, default_visibility: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.add_rating_fields(rubric, notes=True)
        self.fields["feedback"] = forms.CharField(
            label=_("Written feedback"),
            max_length=20_000,
            widget=forms.Textarea(attrs={"rows": 6}),
            help_text=_("What went well, what to work on next; the performer reads this."),
            error_messages={"required": _("Write the feedback that goes with the scores.")},
        )
        self.fields["visibility"] = forms.ChoiceField(
            label=_("Who can read it"), choices=Visibility.choices, initial=default_visibility
        )
