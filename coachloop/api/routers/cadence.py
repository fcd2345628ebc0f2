"""cadence API"""

from ninja import Router

router = Router(tags=["cadence"])
