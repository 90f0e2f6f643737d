from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "prophet-essay.txt"


@pytest.fixture(scope="session")
def seed_book():
    """The seed essay converted once, with its metadata and lexicon."""
    from narrate.build import load_book

    problems: list = []
    book = load_book(SEED, warnings=problems)
    return book, problems
