"""Settings for the test suite: the production settings with the test overrides switched on
(fast password hasher, tasks run inline, email kept in memory). See settings.TESTING."""

import os

os.environ.setdefault("COACHLOOP_TESTING", "1")

from coachloop.settings import *  # noqa: F403
