"""The API's routers by area; coachloop.api.api mounts them."""
