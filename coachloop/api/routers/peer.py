"""peer API"""

from ninja import Router

router = Router(tags=["peer"])
