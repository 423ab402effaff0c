"""Issue 13 part 4: with basic auth, users are bound to their sessions.

Before, any logged-in user could name any session: alex read bea's queue and
stored answers as bea. The dependency (``SessionBinding``/``SessionAccess``)
is checked on its own, then through the app's three session routes.
"""
from __future__ import annotations

import base64
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import pytest
from fastapi.testclient import TestClient

from mentor.config import Settings, load_settings
from mentor.db import Database
from mentor.errors import ConfigError, InvalidSessionName, SessionForbidden
from mentor.server.binding import SessionAccess, SessionBinding

MakeClient = Callable[..., TestClient]
USERS = {"alex": "pw-a", "bea": "pw-b", "carol": "pw-c"}
BOUND: Dict[str, Any] = {"basic_auth": USERS, "user_sessions": {"alex": "alex", "bea": ["bea", "bea-review"]}, "admins": ["carol"]}


def basic(user: str) -> Dict[str, str]:
    token = base64.b64encode(f"{user}:{USERS[user]}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def binding(dataset: Any = "news", **settings: Any) -> Optional[SessionBinding]:
    return SessionBinding.from_settings(Settings(home=Path("."), **settings), dataset)


# -- the dependency ---------------------------------------------------------------------------


def test_issue13_binding_off_keeps_any_session_and_the_user_default() -> None:
    assert binding(basic_auth=USERS) is None and binding() is None
    access = SessionAccess("alex", None)
    assert access.session("bea") == "bea" and access.session(None) == "alex" and access.session("") == "alex"
    assert SessionAccess(None, None).session(None) is None


def test_issue13_binding_holds_a_user_to_its_sessions() -> None:
    bound = binding(**BOUND)
    assert bound is not None
    alex, bea = SessionAccess("alex", bound), SessionAccess("bea", bound)
    assert alex.session(None) == "news-alex" and alex.session("") == "news-alex"
    assert alex.session("alex") == "alex" and alex.session("news-alex") == "news-alex"
    for other in ("bea", "news-bea", "bea-review", "default", "carol"):
        with pytest.raises(SessionForbidden) as refused:
            alex.session(other)
        assert refused.value.code == "M089" and other in refused.value.message
        assert "'alex'" in refused.value.message and "bea-review" not in refused.value.message.split("theirs")[1]
    # several sessions: the first is the default, each may be named
    assert bea.session(None) == "news-bea" and bea.session("bea-review") == "bea-review"
    with pytest.raises(SessionForbidden):
        bea.session("alex")
    # a name no session can have is still a 422, whoever asks
    with pytest.raises(InvalidSessionName):
        alex.session("../etc")


def test_issue13_binding_admin_may_use_any_session() -> None:
    bound = binding(**BOUND)
    carol = SessionAccess("carol", bound)
    assert carol.session("bea") == "bea" and carol.session("alex") == "alex" and carol.session("anyone") == "anyone"
    assert carol.session(None) == "news-carol"


def test_issue13_binding_unlisted_users_get_the_session_of_their_name() -> None:
    # admins alone switch binding on: everyone else keeps to the session named after them
    bound = binding(basic_auth=USERS, admins=["carol"])
    assert bound is not None and bound.own("alex") == ("alex",)
    assert SessionAccess("alex", bound).session(None) == "news-alex"
    assert SessionAccess("bea", bound).session("bea") == "bea"
    with pytest.raises(SessionForbidden):
        SessionAccess("bea", bound).session("alex")
    # a recipe without a dataset: session ids are 'session-NAME'
    nameless = binding(False, basic_auth=USERS, user_sessions={"alex": "a1"})
    assert nameless is not None and SessionAccess("alex", nameless).session(None) == "session-a1"


@pytest.mark.parametrize(
    "settings, says",
    [
        ({"user_sessions": {"alex": "alex"}}, "basic auth is off"),
        ({"admins": ["carol"]}, "basic auth is off"),
        ({"basic_auth": USERS, "user_sessions": {"alx": "alex"}}, "alx"),
        ({"basic_auth": USERS, "admins": ["root"]}, "root"),
        ({"basic_auth": USERS, "user_sessions": {"alex": []}}, "no session"),
        ({"basic_auth": USERS, "user_sessions": {"alex": "a b"}}, "'a b'"),
        ({"basic_auth": {"alex smith": "pw"}, "admins": []}, None),
        ({"basic_auth": {"alex smith": "pw", "carol": "pw"}, "admins": ["carol"]}, "alex smith"),
    ],
)
def test_issue13_binding_mistakes_stop_the_server_at_start(settings: Dict[str, Any], says: Optional[str]) -> None:
    if says is None:  # nothing bound: a user name that can't be a session is today's business
        assert binding(**settings) is None
        return
    with pytest.raises(ConfigError) as err:
        binding(**settings)
    assert says in err.value.message


def test_issue13_binding_settings_from_env_and_file(tmp_path: Path) -> None:
    env = {
        "MENTOR_HOME": str(tmp_path),
        "MENTOR_USER_SESSIONS": "alex:alex, bea:bea,bea:bea-review",
        "MENTOR_ADMINS": "carol, dan",
    }
    settings = load_settings(environ=env, cwd=tmp_path)
    assert settings.user_sessions == {"alex": ["alex"], "bea": ["bea", "bea-review"]}
    assert settings.admins == ["carol", "dan"]
    (tmp_path / "mentor.json").write_text('{"user_sessions": {"alex": "a1", "bea": ["b1", "b2"]}, "admins": ["carol"]}')
    settings = load_settings(environ={"MENTOR_HOME": str(tmp_path)}, cwd=tmp_path)
    assert settings.user_sessions == {"alex": ["a1"], "bea": ["b1", "b2"]} and settings.admins == ["carol"]
    with pytest.raises(ConfigError) as err:
        load_settings(environ={**env, "MENTOR_USER_SESSIONS": "alex"}, cwd=tmp_path)
    assert "MENTOR_USER_SESSIONS" in err.value.message


# -- through the app ------------------------------------------------------------------------


def _answered(tasks: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    return [{**task, "answer": "accept"} for task in tasks]


def test_issue13_app_alex_cannot_read_or_answer_beas_queue(make_client: MakeClient, server_db: Database) -> None:
    client = make_client(**BOUND)
    beas = client.post("/get_session_questions", json={"session_id": "bea"}, headers=basic("bea")).json()["tasks"]
    assert len(beas) == 10
    for session in ("bea", "news-bea", "bea-review"):
        reply = client.post("/get_session_questions", json={"session_id": session}, headers=basic("alex"))
        assert reply.status_code == 403 and reply.json()["code"] == "M089", reply.text
        reply = client.get("/project", params={"session": session}, headers=basic("alex"))
        assert reply.status_code == 403 and reply.json()["code"] == "M089"
        reply = client.post("/give_answers", json={"answers": _answered(beas), "session_id": session}, headers=basic("alex"))
        assert reply.status_code == 403 and reply.json()["code"] == "M089"
    assert server_db.count_dataset("news") == 0 and server_db.sessions == []
    # bea's own answers to the same tasks go in
    reply = client.post("/give_answers", json={"answers": _answered(beas), "session_id": "bea"}, headers=basic("bea"))
    assert reply.status_code == 200 and reply.json()["saved"] == 10 and reply.json()["session_id"] == "news-bea"


def test_issue13_app_session_defaults_to_the_users(make_client: MakeClient, server_db: Database) -> None:
    client = make_client(**BOUND)
    project = client.get("/project", headers=basic("alex")).json()
    assert project["session_id"] == "news-alex"
    questions = client.post("/get_session_questions", json={"session_id": None}, headers=basic("alex")).json()
    assert questions["session_id"] == "news-alex" and len(questions["tasks"]) == 10
    reply = client.post("/give_answers", json={"answers": _answered(questions["tasks"])}, headers=basic("alex"))
    assert reply.status_code == 200 and reply.json()["session_id"] == "news-alex"
    assert server_db.count_dataset("news-alex") == 10
    assert client.get("/project", headers=basic("bea")).json()["session_id"] == "news-bea"


def test_issue13_app_admin_reads_and_answers_any_session(make_client: MakeClient, server_db: Database) -> None:
    client = make_client(**BOUND)
    tasks = client.post("/get_session_questions", json={"session_id": "bea"}, headers=basic("carol")).json()["tasks"]
    reply = client.post("/give_answers", json={"answers": _answered(tasks[:3]), "session_id": "bea"}, headers=basic("carol"))
    assert reply.status_code == 200 and reply.json()["session_id"] == "news-bea" and reply.json()["saved"] == 3
    assert client.get("/project", params={"session": "alex"}, headers=basic("carol")).status_code == 200
    assert server_db.count_dataset("news-bea") == 3


def test_issue13_app_without_binding_keeps_todays_behaviour(make_client: MakeClient) -> None:
    client = make_client(basic_auth=USERS)
    reply = client.post("/get_session_questions", json={"session_id": "bea"}, headers=basic("alex"))
    assert reply.status_code == 200 and reply.json()["session_id"] == "news-bea"
    assert client.get("/project", headers=basic("alex")).json()["session_id"] == "news-alex"


def test_issue13_app_bad_binding_is_refused_at_start(make_client: MakeClient) -> None:
    with pytest.raises(ConfigError):
        make_client(user_sessions={"alex": "alex"})


def test_issue13_app_binding_is_not_sent_to_the_browser(make_client: MakeClient) -> None:
    client = make_client(**BOUND)
    config = client.get("/project", headers=basic("carol")).json()["config"]
    assert not {"user_sessions", "admins", "basic_auth"} & set(config)
