"""prodigy.json and PRODIGY_* read beside mentor.json and MENTOR_* (issue 14, configuration)."""
import json
from pathlib import Path

import pytest

from mentor import config
from mentor.config import load_settings, resolve_ui_files
from mentor.errors import ConfigFileNotFound, ProdigyDatabaseError, ProdigyVariableError, UIFileError


@pytest.fixture(autouse=True)
def fresh_announcements(monkeypatch):
    """Each test sees the start lines its own settings print (a process prints each once)."""
    monkeypatch.setattr(config, "_ANNOUNCED", set())


@pytest.fixture
def folders(tmp_path):
    """A mentor home, a Prodigy home and a project folder, each empty."""
    made = {name: tmp_path / name for name in ("mentor_home", "prodigy_home", "project")}
    for path in made.values():
        path.mkdir()
    return made


def write(path: Path, data) -> Path:
    path.write_text(json.dumps(data) if not isinstance(data, str) else data, encoding="utf8")
    return path


def env_for(folders, **more):
    return {"MENTOR_HOME": str(folders["mentor_home"]), "PRODIGY_HOME": str(folders["prodigy_home"]), **more}


def test_prodigy_files_and_variables_under_mentors_own_at_each_level(folders):
    write(folders["prodigy_home"] / "prodigy.json", {"batch_size": 11, "history_size": 3, "host": "127.0.0.5", "port": 9100})
    env = env_for(folders)
    settings = load_settings(environ=env, cwd=folders["project"])
    assert (settings.batch_size, settings.history_size, settings.host, settings.port) == (11, 3, "127.0.0.5", 9100)
    write(folders["mentor_home"] / "mentor.json", {"batch_size": 12})
    write(folders["project"] / "prodigy.json", {"history_size": 4, "batch_size": 13})
    write(folders["project"] / "mentor.json", {"history_size": 5})
    settings = load_settings(environ=env, cwd=folders["project"])
    assert settings.batch_size == 13  # the project's prodigy.json beats the user's mentor.json
    assert settings.history_size == 5  # mentor.json beats prodigy.json in the same folder
    env = env_for(folders, PRODIGY_PORT="9200", PRODIGY_HOST="127.0.0.6", MENTOR_HOST="127.0.0.7")
    settings = load_settings(environ=env, cwd=folders["project"])
    assert (settings.port, settings.host) == (9200, "127.0.0.7")  # variables beat files, MENTOR_ beats PRODIGY_


def test_prodigy_config_overrides_beat_the_recipe_config_but_not_mentor_variables(folders):
    env = env_for(folders, PRODIGY_CONFIG_OVERRIDES='{"batch_size": 100, "history_size": 7, "card_css": ".c{}"}')
    settings = load_settings(environ=env, cwd=folders["project"], recipe_config={"batch_size": 10, "card_css": ".r{}"})
    assert settings.batch_size == 100 and settings.history_size == 7
    assert settings.ui_overrides == {"card_css": ".c{}"}  # the app gets it over the recipe's own
    env["MENTOR_BATCH_SIZE"] = "50"
    assert load_settings(environ=env, cwd=folders["project"], recipe_config={"batch_size": 10}).batch_size == 50
    assert load_settings(environ=env, cwd=folders["project"], overrides={"batch_size": 3}).batch_size == 3
    with pytest.raises(ProdigyVariableError, match="PRODIGY_CONFIG_OVERRIDES is not valid JSON") as err:
        load_settings(environ={**env, "PRODIGY_CONFIG_OVERRIDES": "{batch"}, cwd=folders["project"])
    assert err.value.code == "M171"


def test_prodigy_config_names_the_file_in_place_of_the_home_one(folders, tmp_path):
    write(folders["prodigy_home"] / "prodigy.json", {"batch_size": 11})
    named = write(tmp_path / "team.json", {"batch_size": 22})
    env = env_for(folders, PRODIGY_CONFIG=str(named))
    assert load_settings(environ=env, cwd=folders["project"]).batch_size == 22
    # relative to the working folder, and read once when it is ./prodigy.json too
    write(folders["project"] / "prodigy.json", {"batch_size": 33})
    assert load_settings(environ={**env, "PRODIGY_CONFIG": "prodigy.json"}, cwd=folders["project"]).batch_size == 33
    with pytest.raises(ConfigFileNotFound, match="PRODIGY_CONFIG: no config file at") as err:
        load_settings(environ={**env, "PRODIGY_CONFIG": str(tmp_path / "missing.json")}, cwd=folders["project"])
    assert err.value.code == "M172"


def test_one_line_names_the_files_read_and_one_warning_the_keys_mentor_ignores(folders, capsys):
    home_file = write(
        folders["prodigy_home"] / "prodigy.json",
        {"batch_size": 20, "cors": True, "validate": True, "force_stream_order": True, "split_sents_threshold": 100,
         "custom_theme": {"cardMaxWidth": 900}, "show_flag": True, "my_template_key": 1},
    )
    project_file = write(folders["project"] / "mentor.json", {"port": 9001})
    env = env_for(folders, PRODIGY_DEPLOYED_URL="https://annotate.example.org")
    settings = load_settings(environ=env, cwd=folders["project"])
    load_settings(environ=env, cwd=folders["project"])  # a second read says nothing again
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].endswith(f"Config files read: {home_file}, {project_file}")
    assert lines[1].endswith(
        f"{home_file}: keys cors=true, split_sents_threshold, my_template_key have no effect in mentor "
        "(see docs/migrating-from-prodigy-config.md)"
    )
    assert lines[2].endswith("environment: variable PRODIGY_DEPLOYED_URL has no effect in mentor (see docs/migrating-from-prodigy-config.md)")
    assert len(lines) == 3
    # honoured keys reach the settings and the app's config; the unknown one is kept for a custom template
    assert settings.batch_size == 20 and settings.custom_theme == {"cardMaxWidth": 900} and settings.show_flag is True
    assert settings.my_template_key == 1


def test_what_mentor_always_does_is_warned_only_when_a_file_asks_otherwise(folders, capsys):
    path = write(folders["project"] / "prodigy.json", {"validate": False, "force_stream_order": True, "theme": "dark"})
    load_settings(environ=env_for(folders), cwd=folders["project"])
    err = capsys.readouterr().err
    assert f'{path}: keys validate=false, theme="dark" have no effect' in err and "force_stream_order" not in err


def test_no_files_no_line(folders, capsys):
    """Nothing read, nothing to say: a command's error stays the one line on stderr."""
    load_settings(environ=env_for(folders), cwd=folders["project"])
    assert capsys.readouterr().err == ""


def test_prodigy_basic_auth_allowed_sessions_and_logging_from_the_environment(folders):
    env = env_for(
        folders, PRODIGY_BASIC_AUTH_USER="ann", PRODIGY_BASIC_AUTH_PASS="s3cret,with,commas",
        PRODIGY_ALLOWED_SESSIONS="alex, bea", PRODIGY_LOGGING="verbose",
    )
    settings = load_settings(environ=env, cwd=folders["project"])
    assert settings.basic_auth == {"ann": "s3cret,with,commas"}  # Prodigy's one user: the password whole
    assert settings.allowed_sessions == ["alex", "bea"] and settings.log_level == "DEBUG"
    both = {**env, "MENTOR_BASIC_AUTH_USER": "max", "MENTOR_BASIC_AUTH_PASS": "pw", "MENTOR_ALLOWED_SESSIONS": "max"}
    settings = load_settings(environ=both, cwd=folders["project"])
    assert settings.basic_auth == {"max": "pw"} and settings.allowed_sessions == ["max"]
    with pytest.raises(ProdigyVariableError, match="PRODIGY_BASIC_AUTH_USER and PRODIGY_BASIC_AUTH_PASS"):
        load_settings(environ={**env, "PRODIGY_BASIC_AUTH_PASS": ""}, cwd=folders["project"])
    with pytest.raises(ProdigyVariableError, match="PRODIGY_LOGGING must be 'basic' or 'verbose'"):
        load_settings(environ={**env, "PRODIGY_LOGGING": "loud"}, cwd=folders["project"])
    with pytest.raises(config.ConfigError, match="PRODIGY_PORT: 'port'"):
        load_settings(environ={**env, "PRODIGY_PORT": "eighty"}, cwd=folders["project"])


@pytest.mark.parametrize(
    "db,settings,expected",
    [
        ("sqlite", {}, None),  # mentor's own file in its home
        ("sqlite", {"sqlite": {"name": "team.db", "path": "/data/annotations"}}, "sqlite:////data/annotations/team.db"),
        ("sqlite", {"sqlite": {"path": "/data/annotations"}}, "sqlite:////data/annotations/mentor.db"),
        (None, {"sqlite": {"name": "team.db"}}, "sqlite:///{prodigy_home}/team.db"),
        ("postgresql", {"postgresql": {"dbname": "annotations", "user": "bob", "password": "p@ss:/", "host": "db", "port": 5433}},
         "postgresql+psycopg://bob:p%40ss%3A%2F@db:5433/annotations"),
        ("postgresql", {}, "postgresql+psycopg://"),  # libpq's PG* variables, as in Prodigy
        ("mysql", {"mysql": {"host": "db", "user": "root", "passwd": "pw", "db": "annotations", "charset": "utf8mb4"}},
         "mysql+pymysql://root:pw@db/annotations?charset=utf8mb4"),
    ],
)
def test_prodigy_db_settings_become_a_database_url(folders, db, settings, expected):
    write(folders["project"] / "prodigy.json", {"db": db, "db_settings": settings} if db else {"db_settings": settings})
    loaded = load_settings(environ=env_for(folders), cwd=folders["project"])
    assert loaded.db_url == (expected.format(prodigy_home=folders["prodigy_home"]) if expected else None)
    if expected is None:
        assert loaded.database_url == f"sqlite:///{folders['mentor_home'] / 'mentor.db'}"


def test_mentor_db_url_wins_over_prodigy_db_settings(folders):
    write(folders["project"] / "prodigy.json", {"db": "sqlite", "db_settings": {"sqlite": {"name": "p.db", "path": "/x"}}})
    env = env_for(folders, MENTOR_DB_URL="sqlite:////y/m.db")
    assert load_settings(environ=env, cwd=folders["project"]).db_url == "sqlite:////y/m.db"


@pytest.mark.parametrize(
    "data,message",
    [
        ({"db": "mongodb"}, "'db' must be 'sqlite', 'postgresql' or 'mysql', got 'mongodb'"),
        ({"db": "sqlite", "db_settings": {"sqlite": {"name": ":memory:"}}}, "'db_settings.sqlite.name' is ':memory:', which mentor can't use"),
        ({"db": "postgresql", "db_settings": ["x"]}, "'db_settings' must be an object"),
        ({"db": "mysql", "db_settings": {"mysql": "root@db"}}, "'db_settings.mysql' must be an object"),
    ],
)
def test_a_prodigy_database_mentor_cannot_open_stops_at_start(folders, data, message):
    path = write(folders["project"] / "prodigy.json", data)
    with pytest.raises(ProdigyDatabaseError) as err:
        load_settings(environ=env_for(folders), cwd=folders["project"])
    assert str(err.value).startswith(f"{path}: {message}") and err.value.code == "M170"


def test_a_bad_value_in_prodigy_json_names_the_file_and_key(folders):
    path = write(folders["project"] / "prodigy.json", {"batch_size": "ten"})
    with pytest.raises(config.ConfigError, match=f"{path}: 'batch_size'"):
        load_settings(environ=env_for(folders), cwd=folders["project"])


def test_instructions_html_file_is_read_and_made_safe(folders):
    (folders["project"] / "guide.html").write_text(
        '<h2 class="t">Guide</h2><p onclick="steal()">Mark <b>people</b>.</p><script>alert(1)</script>'
        '<a href="javascript:alert(1)">x</a><a href="https://example.org/help">help</a><iframe src="//evil"></iframe>',
        encoding="utf8",
    )
    write(folders["project"] / "prodigy.json", {"instructions": "guide.html"})
    html = load_settings(environ=env_for(folders), cwd=folders["project"]).instructions
    assert '<h2 class="t">Guide</h2>' in html and "<b>people</b>" in html and 'href="https://example.org/help"' in html
    for unsafe in ("script", "alert", "onclick", "javascript:", "iframe"):
        assert unsafe not in html


def test_instructions_text_file_becomes_escaped_paragraphs(folders):
    (folders["project"] / "guide.txt").write_text("Tag <PERSON> & <ORG>.\nNothing else.\n\nAsk if unsure.", encoding="utf8")
    write(folders["project"] / "prodigy.json", {"instructions": "guide.txt"})
    html = load_settings(environ=env_for(folders), cwd=folders["project"]).instructions
    assert html == "<p>Tag &lt;PERSON&gt; &amp; &lt;ORG&gt;.<br>Nothing else.</p><p>Ask if unsure.</p>"


def test_instructions_found_beside_the_config_file_that_names_them(folders):
    (folders["prodigy_home"] / "help.html").write_text("<p>From home</p>", encoding="utf8")
    write(folders["prodigy_home"] / "prodigy.json", {"instructions": "help.html"})
    assert load_settings(environ=env_for(folders), cwd=folders["project"]).instructions == "<p>From home</p>"


def test_instructions_false_means_none(folders):
    write(folders["project"] / "prodigy.json", {"instructions": False})
    assert load_settings(environ=env_for(folders), cwd=folders["project"]).instructions is None


def test_instructions_that_cannot_be_read_stop_at_start(folders):
    project = folders["project"]
    path = write(project / "prodigy.json", {"instructions": "nowhere.html"})
    with pytest.raises(UIFileError, match=f"{path}: 'instructions' names no file 'nowhere.html'") as err:
        load_settings(environ=env_for(folders), cwd=project)
    assert err.value.code == "M173"
    (project / "big.html").write_bytes(b"x" * (config.MAX_UI_FILE_BYTES + 1))
    write(project / "prodigy.json", {"instructions": "big.html"})
    with pytest.raises(UIFileError, match="more than 1,000,000"):
        load_settings(environ=env_for(folders), cwd=project)
    (project / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    write(project / "prodigy.json", {"instructions": "latin1.txt"})
    with pytest.raises(UIFileError, match="not UTF-8"):
        load_settings(environ=env_for(folders), cwd=project)
    write(project / "prodigy.json", {"instructions": "."})
    with pytest.raises(UIFileError, match="is a folder"):
        load_settings(environ=env_for(folders), cwd=project)


def test_css_and_script_folders_are_read_and_javascript_only_when_set(folders):
    project = folders["project"]
    (project / "css").mkdir()
    (project / "css" / "b.css").write_text(".b{}", encoding="utf8")
    (project / "css" / "a.css").write_text(".a{}", encoding="utf8")
    (project / "css" / "notes.txt").write_text("not css", encoding="utf8")
    (project / "js").mkdir()
    (project / "js" / "x.js").write_text("console.log(1)", encoding="utf8")
    write(project / "prodigy.json", {"global_css": ".g{}", "global_css_dir": "css", "javascript_dir": "js"})
    settings = load_settings(environ=env_for(folders), cwd=project)
    assert settings.global_css == ".g{}\n.a{}\n.b{}" and settings.javascript == "console.log(1)"
    assert resolve_ui_files({"javascript": ""}, cwd=project) == {"javascript": None}
    assert resolve_ui_files({"javascript": False}, cwd=project) == {"javascript": None}
    assert "javascript" not in resolve_ui_files({"global_css": ".g{}"}, cwd=project)
    write(project / "prodigy.json", {"global_css_dir": "missing"})
    with pytest.raises(UIFileError, match="'global_css_dir' names no folder 'missing'"):
        load_settings(environ=env_for(folders), cwd=project)


def test_total_examples_target(folders):
    write(folders["project"] / "prodigy.json", {"total_examples_target": 500})
    assert load_settings(environ=env_for(folders), cwd=folders["project"]).total_examples_target == 500


def test_the_app_config_reads_the_recipes_instructions_and_puts_overrides_over_the_recipe(folders, monkeypatch):
    from mentor.core.components import Components
    from mentor.core.controller import Controller
    from mentor.db import Database

    project = folders["project"]
    monkeypatch.chdir(project)
    (project / "recipe_help.txt").write_text("Read <this>.", encoding="utf8")
    recipe = {"instructions": "recipe_help.txt", "card_css": {"color": "red"}, "global_css": ".r{}", "javascript": ""}
    env = env_for(folders, PRODIGY_CONFIG_OVERRIDES='{"card_css": {"color": "blue"}, "total_examples_target": 40}')
    settings = load_settings(environ=env, cwd=project, recipe_config=recipe)
    db = Database(f"sqlite:///{project / 'core.db'}")
    try:
        tasks = [{"text": f"t{i}"} for i in range(10)]
        ctrl = Controller(Components(dataset="ds", stream=tasks, view_id="text", config=recipe), db, settings)
        app = ctrl.ui_config()
        assert app["instructions"] == "<p>Read &lt;this&gt;.</p>"
        assert app["card_css"] == {"color": "blue"} and app["global_css"] == ".r{}"
        assert app["javascript"] is None  # an empty script is no script
        assert ctrl.total == 40  # progress counts towards total_examples_target, not the 10 tasks
    finally:
        db.close()


def test_mentor_settings_written_in_prodigy_json_are_honoured_without_a_warning(folders, capsys):
    path = write(folders["project"] / "prodigy.json", {"basic_auth": {"ann": "pw"}, "max_sessions": 5, "cors": False})
    settings = load_settings(environ=env_for(folders), cwd=folders["project"])
    assert settings.basic_auth == {"ann": "pw"} and settings.max_sessions == 5
    assert "no effect" not in capsys.readouterr().err  # cors false: mentor sends no CORS headers
