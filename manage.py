#!/usr/bin/env python
"""Django's command-line utility; the same as the `coachloop` console script."""

from coachloop.cli import main

if __name__ == "__main__":
    main()
