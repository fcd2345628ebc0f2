"""TEMPORARY: views to be written."""

from typing import Any


def meeting_list(request: Any, **kwargs: Any) -> Any:  # TODO-HELPER
    raise NotImplementedError


def meeting_detail(request: Any, **kwargs: Any) -> Any:  # TODO-HELPER
    raise NotImplementedError


def meeting_cancel(request: Any, **kwargs: Any) -> Any:  # TODO-HELPER
    raise NotImplementedError
