"""TEMPORARY: views to be written."""

from typing import Any


def plan_detail(request: Any, **kwargs: Any) -> Any:  # TODO-HELPER
    raise NotImplementedError


def plan_versions(request: Any, **kwargs: Any) -> Any:  # TODO-HELPER
    raise NotImplementedError


def plan_diff(request: Any, **kwargs: Any) -> Any:  # TODO-HELPER
    raise NotImplementedError


def plan_submit(request: Any, **kwargs: Any) -> Any:  # TODO-HELPER
    raise NotImplementedError


def plan_decide(request: Any, **kwargs: Any) -> Any:  # TODO-HELPER
    raise NotImplementedError
