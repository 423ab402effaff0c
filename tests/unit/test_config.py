import json

import pytest

from mentor.config import load_settings
from mentor.errors import ConfigError


def test_config_precedence_defaults_user_project_env_recipe_cli(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    project = tmp_path / "project"
    project.mkdir()
    assert load_settings(environ={"MENTOR_HOME": str(home)}, cwd=project).batch_size == 10
    (home / "mentor.json").write_text(json.dumps({"batch_size": 20, "port": 9000, "host": "127.0.0.2", "show_stats": True}))
    (project / "mentor.json").write_text(json.dumps({"batch_size": 30, "port": 9001}))
    env = {"MENTOR_HOME": str(home), "MENTOR_PORT": "9002"}
    settings = load_settings(environ=env, cwd=project, recipe_config={"show_stats": False, "labels": ["A"]}, overrides={"port": 9003})
    assert settings.host == "127.0.0.2"  # user file
    assert settings.batch_size == 30  # project file beats user file
    assert settings.port == 9003  # CLI beats env beats files
    assert settings.show_stats is False  # recipe config beats files
    assert load_settings(environ=env, cwd=project).port == 9002


def test_config_defaults_are_safe(tmp_path):
    settings = load_settings(environ={"MENTOR_HOME": str(tmp_path)}, cwd=tmp_path)
    assert settings.host == "127.0.0.1"
    assert settings.database_url == f"sqlite:///{tmp_path / 'mentor.db'}"


def test_config_bad_value_names_file_and_key(tmp_path):
    (tmp_path / "mentor.json").write_text(json.dumps({"batch_size": "ten"}))
    with pytest.raises(ConfigError) as err:
        load_settings(environ={"MENTOR_HOME": str(tmp_path / "h")}, cwd=tmp_path)
    assert "mentor.json" in str(err.value) and "batch_size" in str(err.value)


def test_config_bad_json_file(tmp_path):
    (tmp_path / "mentor.json").write_text("{nope")
    with pytest.raises(ConfigError, match="not valid JSON"):
        load_settings(environ={"MENTOR_HOME": str(tmp_path / "h")}, cwd=tmp_path)


def test_config_env_overrides_and_auth(tmp_path):
    env = {
        "MENTOR_HOME": str(tmp_path),
        "MENTOR_CONFIG_OVERRIDES": '{"batch_size": 5, "custom_ui_key": 1}',
        "MENTOR_BASIC_AUTH_USER": "ann,bob",
        "MENTOR_BASIC_AUTH_PASS": "pw1,pw2",
        "MENTOR_ALLOWED_SESSIONS": "ann, bob",
    }
    settings = load_settings(environ=env, cwd=tmp_path)
    assert settings.batch_size == 5
    assert settings.custom_ui_key == 1
    assert settings.basic_auth == {"ann": "pw1", "bob": "pw2"}
    assert settings.allowed_sessions == ["ann", "bob"]
    with pytest.raises(ConfigError, match="as many"):
        load_settings(environ={**env, "MENTOR_BASIC_AUTH_PASS": "one"}, cwd=tmp_path)


def test_issue12_config_server_limits_from_env(tmp_path):
    env = {
        "MENTOR_HOME": str(tmp_path),
        "MENTOR_ALLOWED_HOSTS": "annotate.example.org, localhost:9000",
        "MENTOR_MAX_SESSIONS": "5",
        "MENTOR_MAX_REQUEST_BYTES": "2048",
    }
    settings = load_settings(environ=env, cwd=tmp_path)
    assert settings.allowed_hosts == ["annotate.example.org", "localhost:9000"]
    assert settings.max_sessions == 5 and settings.max_request_bytes == 2048
    defaults = load_settings(environ={"MENTOR_HOME": str(tmp_path)}, cwd=tmp_path)
    assert defaults.allowed_hosts == [] and defaults.max_request_bytes == 10_000_000
    with pytest.raises(ConfigError, match="MENTOR_MAX_SESSIONS"):
        load_settings(environ={**env, "MENTOR_MAX_SESSIONS": "0"}, cwd=tmp_path)
