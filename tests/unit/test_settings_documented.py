"""Every setting is documented in the README with its environment variable."""

from __future__ import annotations

from pathlib import Path

from hrsearch.settings import Settings

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_setting_is_in_the_readme() -> None:
    text = README.read_text(encoding="utf-8")
    missing = [
        f"HRSEARCH_{name.upper()}" for name in Settings.model_fields if f"HRSEARCH_{name.upper()}" not in text
    ]
    assert not missing, f"settings missing from README.md: {missing}"


def test_every_setting_has_a_description_and_an_offline_default() -> None:
    s = Settings()
    for name, field in Settings.model_fields.items():
        assert field.description, name
        assert getattr(s, name) is not None, name
    assert s.chroma_url == ""  # embedded by default: no server needed


def test_settings_read_the_environment(monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("HRSEARCH_INDEX_DIR", str(tmp_path / "i"))
    monkeypatch.setenv("HRSEARCH_MAX_K", "7")
    s = Settings()
    assert s.index_dir == tmp_path / "i" and s.max_k == 7
