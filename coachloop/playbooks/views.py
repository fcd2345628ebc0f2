"""TEMPORARY: views to be written."""

from typing import Any


def playbook_list(request: Any, **kwargs: Any) -> Any:  # TODO-HELPER
    raise NotImplementedError


def playbook_detail(request: Any, **kwargs: Any) -> Any:  # TODO-HELPER
    raise NotImplementedError


def playbook_copy(request: Any, **kwargs: Any) -> Any:  # TODO-HELPER
    raise NotImplementedError


def playbook_step_edit(request: Any, **kwargs: Any) -> Any:  # TODO-HELPER
    raise NotImplementedError


def playbook_edit(request: Any, **kwargs: Any) -> Any:  # TODO-HELPER
    raise NotImplementedError


def playbook_download(request: Any, **kwargs: Any) -> Any:  # TODO-HELPER
    raise NotImplementedError
