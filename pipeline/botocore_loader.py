"""One botocore data loader for the process, so a service's model is read once.

Every botocore session creates a loader of its own, and a loader keeps what it read
only for itself: the local hub (which routes and checks requests by the securityhub
model) and the boto3 client talking to it each parsed the same 1.7 MB model, about
0.15 s apiece, at the start of every `publish` and `scan`. Sessions made here share one
loader, with the search path a session would have used (AWS_DATA_PATH).
"""
from __future__ import annotations

import os
from functools import cache

import botocore.loaders
import botocore.session


@cache
def shared_loader() -> botocore.loaders.Loader:
    return botocore.loaders.create_loader(os.environ.get("AWS_DATA_PATH"))


def new_session() -> botocore.session.Session:
    """A fresh botocore session (its own credentials, region and events) reading models through the shared loader."""
    session = botocore.session.get_session()
    session.register_component("data_loader", shared_loader())
    return session
