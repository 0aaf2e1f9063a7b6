from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from handlers.chat.dispatch import ChatService
from tests.chat.org import seed, service


@pytest.fixture
def chat(engine: Engine) -> ChatService:
    """The chat service over the reference organisation, at Wed 8 April 2026 09:00 London."""
    seed(engine)
    return service(engine)
