"""config/storage.py: the production static storage answers what whitenoise's does, from memory."""

import json

import pytest
from whitenoise.storage import CompressedManifestStaticFilesStorage

from config.storage import RememberingManifestStaticFilesStorage

MANIFEST = {"css/site.css": "css/site.0123456789ab.css", "js/app.js": "js/app.ba9876543210.js"}


def storage_with(cls, tmp_path, paths=MANIFEST):
    (tmp_path / "staticfiles.json").write_text(
        json.dumps({"paths": paths, "version": "1.1", "hash": "x"})
    )
    return cls(location=tmp_path, base_url="/static/")


@pytest.fixture
def storage(tmp_path, settings):
    settings.DEBUG = False
    return storage_with(RememberingManifestStaticFilesStorage, tmp_path)


def test_urls_are_whitenoises_and_asked_of_the_manifest_once(storage, tmp_path, monkeypatch):
    plain = storage_with(CompressedManifestStaticFilesStorage, tmp_path)
    asked = []
    stored_name = storage.stored_name

    def asking(name):
        asked.append(name)
        return stored_name(name)

    monkeypatch.setattr(storage, "stored_name", asking)

    for _ in range(3):
        assert storage.url("css/site.css") == plain.url("css/site.css")
        assert storage.url("js/app.js") == plain.url("js/app.js")

    assert storage.url("css/site.css") == "/static/css/site.0123456789ab.css"
    assert asked == ["css/site.css", "js/app.js"]


def test_a_name_missing_from_the_manifest_fails_every_time(storage):
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("css/missing.css")
    assert storage._urls == {}


def test_debug_answers_the_unhashed_name_even_after_a_hashed_one(storage, settings):
    assert storage.url("css/site.css") == "/static/css/site.0123456789ab.css"
    settings.DEBUG = True
    assert storage.url("css/site.css") == "/static/css/site.css"


def test_force_is_never_remembered(storage, settings):
    settings.DEBUG = True
    assert storage.url("css/site.css", force=True) == "/static/css/site.0123456789ab.css"
    assert storage._urls == {}


def test_collectstatic_forgets_the_old_manifest(storage):
    assert storage.url("css/site.css") == "/static/css/site.0123456789ab.css"

    list(storage.post_process({}, dry_run=True))
    storage.hashed_files = {"css/site.css": "css/site.fedcba987654.css"}

    assert storage.url("css/site.css") == "/static/css/site.fedcba987654.css"


def test_memory_is_bounded(storage, monkeypatch):
    monkeypatch.setattr(storage, "MAX_REMEMBERED", 1)
    storage.url("css/site.css")
    storage.url("js/app.js")
    assert list(storage._urls) == [("css/site.css", False)]
    assert storage.url("js/app.js") == "/static/js/app.ba9876543210.js"
