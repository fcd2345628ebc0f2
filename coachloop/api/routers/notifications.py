"""notifications API"""

from ninja import Router

router = Router(tags=["notifications"])
