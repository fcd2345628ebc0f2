"""A test client that speaks to the API for one person, with a personal access token."""

import json

from coachloop.accounts.services import token_create


class Api:
    """Requests as `user`, through Django's test `client`, with a token of their own
    (read-write unless `read_only`). Bodies go as JSON."""

    def __init__(self, client, user, *, read_only=False):
        self.client = client
        _token, raw = token_create(user=user, name="test", read_only=read_only)
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    def get(self, path, **query):
        return self.client.get(path, query, **self.headers)

    def send(self, method, path, body=None):
        return getattr(self.client, method)(
            path, json.dumps(body or {}), content_type="application/json", **self.headers
        )

    def post(self, path, body=None):
        return self.send("post", path, body)

    def put(self, path, body=None):
        return self.send("put", path, body)

    def patch(self, path, body=None):
        return self.send("patch", path, body)

    def delete(self, path, body=None):
        return self.send("delete", path, body)
