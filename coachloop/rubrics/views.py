"""TEMPORARY: views to be written."""

from typing import Any


def score_list(request: Any, **kwargs: Any) -> Any:  # TODO-HELPER
    raise NotImplementedError


def score_create(request: Any, **kwargs: Any) -> Any:  # TODO-HELPER
    raise NotImplementedError


def score_detail(request: Any, **kwargs: Any) -> Any:  # TODO-HELPER
    raise NotImplementedError
