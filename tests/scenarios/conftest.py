from pathlib import Path

import pytest

from app.scenarios import content

FIXTURE_ROOT = Path(__file__).parent / "content"


def sync_fixture_scenarios(root: Path = FIXTURE_ROOT):
    paths = content.find(root)
    result = content.sync(paths, root)
    assert result.created + result.updated + result.unchanged == len(paths), result.messages
    return result


@pytest.fixture
def practice(app):
    """The practice scenario synced into the test database, with the content root pointing at it."""
    from app.scenarios import service

    app.config["CONTENT_ROOT"] = FIXTURE_ROOT
    sync_fixture_scenarios()
    return service.get_active("practice-desk")
