"""A mentor home whose database holds small NER and textcat datasets."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Dict, Iterator

import pytest

from mentor.db import Database, connect
from training_data import add, binary_ner_answers, ner_answers, textcat_answers


@pytest.fixture
def training_db(mentor_home: Path) -> Iterator[Database]:
    db = connect()
    add(db, "ner_gold", ner_answers(60))
    add(db, "ner_eval", ner_answers(15, seed=1))
    add(db, "ner_binary", binary_ner_answers(60))
    add(db, "happy", textcat_answers(60))
    yield db
    db.close()


@pytest.fixture
def subprocess_env(mentor_home: Path) -> Dict[str, str]:
    """The environment for running mentor or spaCy as a subprocess on the same database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MENTOR_")}
    env["MENTOR_HOME"] = str(mentor_home)
    return env
