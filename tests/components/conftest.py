from collections.abc import Iterator

import pytest
from chalk_mocks import Engine


@pytest.fixture
def engine() -> Iterator[Engine]:
    """Per test: mock engines that each start with a fresh event loop, root Stack, RecordingMocks and a
    StrictMonitor that rejects duplicate URNs (pulumi-tech.md section 1); all closed afterwards."""
    mock_engine = Engine()
    yield mock_engine
    mock_engine.close()
