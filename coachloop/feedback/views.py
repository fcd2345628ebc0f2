"""TEMPORARY: views to be written."""

from typing import Any


def feedback_list(request: Any, **kwargs: Any) -> Any:  # TODO-HELPER
    raise NotImplementedError


def feedback_detail(request: Any, **kwargs: Any) -> Any:  # TODO-HELPER
    raise NotImplementedError


def feedback_answer(request: Any, **kwargs: Any) -> Any:  # TODO-HELPER
    raise NotImplementedError
