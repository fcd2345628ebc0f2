"""TEMPORARY: views to be written."""

from typing import Any


def portfolio_list(request: Any, **kwargs: Any) -> Any:  # TODO-HELPER
    raise NotImplementedError


def portfolio_entry(request: Any, **kwargs: Any) -> Any:  # TODO-HELPER
    raise NotImplementedError


def portfolio_download(request: Any, **kwargs: Any) -> Any:  # TODO-HELPER
    raise NotImplementedError
