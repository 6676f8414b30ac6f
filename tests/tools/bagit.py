#!/usr/bin/env python3
"""Runs the vendored bagit-python (see bagit-python/README.md) as `bagit.py`."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "bagit-python"))
import bagit  # noqa: E402

sys.argv[0] = "bagit.py"
sys.exit(bagit.main())
