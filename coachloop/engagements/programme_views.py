"""TEMPORARY: views to be written."""

from typing import Any


def programme_list(request: Any, **kwargs: Any) -> Any:  # TODO-HELPER
    raise NotImplementedError


def programme_create(request: Any, **kwargs: Any) -> Any:  # TODO-HELPER
    raise NotImplementedError


def programme_detail(request: Any, **kwargs: Any) -> Any:  # TODO-HELPER
    raise NotImplementedError


def engagement_create(request: Any, **kwargs: Any) -> Any:  # TODO-HELPER
    raise NotImplementedError


def engagement_bulk(request: Any, **kwargs: Any) -> Any:  # TODO-HELPER
    raise NotImplementedError


def programme_export(request: Any, **kwargs: Any) -> Any:  # TODO-HELPER
    raise NotImplementedError


def today(request: Any, **kwargs: Any) -> Any:  # TODO-HELPER
    raise NotImplementedError


def sponsor_home(request: Any, **kwargs: Any) -> Any:  # TODO-HELPER
    raise NotImplementedError
