"""Space cards: what a Space says about itself reaches the agent's tool description and each asset's license."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

from huggingface_hub import SpaceCardData

from agent.runner import ChainRunner
from tools import companions
from tools.registry import Registry
from tools.space_card import SpaceCard, hub_card, local_card


def test_every_bundled_space_has_a_card():
    for name in companions.available():
        card = local_card(name)
        assert card is not None and card.title and card.short_description, name
        assert card.license == "apache-2.0", name


def test_a_card_reads_as_one_sentence():
    card = SpaceCard(title="Hunyuan3D-2", short_description="Text/image to 3D", license="other")
    assert card.sentence() == "Space card: 'Hunyuan3D-2', Text/image to 3D (license other)."
    assert SpaceCard(license="mit").sentence() == "Space card: license mit."
    assert SpaceCard().sentence() == ""


def test_descriptions_events_and_the_scene_carry_the_card(companion_urls, settings):
    outcome = ChainRunner(settings).run_to_end("a gallery of a red lighthouse and a windmill")
    assert outcome.scene is not None, outcome.log["result"]
    loaded = next(e for e in outcome.log["events"] if e["type"] == "tools_loaded")
    described = {t["name"]: t["description"] for t in loaded["tools"]}
    assert "Space card: 'Diorama Text to 3D', Text to low-poly GLB" in described["text_to_3d"]
    calls = [e for e in outcome.log["events"] if e["type"] == "space_call" and e["status"] == "ok"]
    assert calls and {c["license"] for c in calls} == {"apache-2.0"}
    data = Path(outcome.scene).read_bytes()
    doc = json.loads(data[20:20 + int.from_bytes(data[12:16], "little")])
    assert {c["license"] for c in doc["asset"]["extras"]["diorama"]["calls"]} == {"apache-2.0"}


def test_a_url_space_has_no_card_and_no_license(companion_urls, stub_url, settings):
    from agent.config import Provider, ToolConfig

    tools = tuple(ToolConfig(t.name, stub_url, "/generate_crash", t.capability,
                             fallbacks=(Provider(t.space, t.endpoint),))
                  if t.capability == "text_to_3d" else t for t in settings.tools)
    outcome = ChainRunner(settings.with_overrides(tools=tools, call_attempts=1)).run_to_end("a gallery of a boat")
    calls = [e for e in outcome.log["events"] if e["type"] == "space_call" and e["tool"] == "text_to_3d"]
    assert [(c["space"], c["license"], c["status"]) for c in calls] == [
        (stub_url, None, "error"), ("local:text_to_3d", "apache-2.0", "ok")]


class FakeHfApi:
    """Fake: `huggingface_hub.HfApi.space_info`, because the Hub cannot be reached here.

    It records what it was asked.
    """

    def __init__(self, card: SpaceCardData | None = None, error: Exception | None = None) -> None:
        self.card, self.error, self.asked = card, error, []

    def space_info(self, repo_id, *, timeout=None, expand=None, token=None):
        self.asked.append({"repo_id": repo_id, "timeout": timeout, "expand": expand, "token": token})
        if self.error:
            raise self.error
        return SimpleNamespace(id=repo_id, card_data=self.card, sha="0123abcd" if self.card else None)


def test_hub_card_with_a_fake_hfapi():
    api = FakeHfApi(SpaceCardData(title="TRELLIS", license="mit", short_description="Image to 3D"))
    card = hub_card("JeffreyXiang/TRELLIS", token="hf_secret", timeout_s=5, api=api)
    assert card == SpaceCard(title="TRELLIS", short_description="Image to 3D", license="mit", revision="0123abcd")
    assert api.asked == [{"repo_id": "JeffreyXiang/TRELLIS", "timeout": 5, "expand": ["cardData", "sha"],
                          "token": "hf_secret"}]
    assert hub_card("a/b", api=FakeHfApi(error=TimeoutError("hub down"))) is None  # no card, no error
    assert hub_card("a/b", api=FakeHfApi(card=None)) is None


def test_hub_card_is_not_fetched_offline():
    assert hub_card("JeffreyXiang/TRELLIS") is None  # HF_HUB_OFFLINE=1 in the tests: no request is made


def test_a_bundled_space_revision_follows_its_code(tmp_path):
    import shutil

    folder = tmp_path / "spaces" / "text_to_3d"
    shutil.copytree(companions.SPACES_DIR / "text_to_3d", folder)
    before = local_card("text_to_3d", spaces_dir=tmp_path / "spaces").revision
    assert before and before == local_card("text_to_3d", spaces_dir=tmp_path / "spaces").revision
    (folder / "app.py").write_text((folder / "app.py").read_text() + "\n# changed\n")
    assert local_card("text_to_3d", spaces_dir=tmp_path / "spaces").revision not in (None, before)


def _spaces_copy(tmp_path: Path, *names: str) -> Path:
    """A folder of bundled Spaces copied from the repo's, to change one without touching the repo."""
    import shutil

    for name in names:
        shutil.copytree(companions.SPACES_DIR / name, tmp_path / "spaces" / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return tmp_path / "spaces"


def test_a_new_space_revision_misses_the_cache(companion_fleet, companion_urls, settings, tmp_path):
    spaces = _spaces_copy(tmp_path, "text_to_3d", "scene_builder")
    # a home of its own: the restart after the code change must not stop the session's companions
    fleet = companions.use(companions.Fleet(tmp_path / "home", spaces_dir=spaces, idle_s=0,
                                            start_timeout_s=companion_fleet.start_timeout_s))
    try:
        runner = ChainRunner(settings.with_overrides(cache_enabled=True))

        def fresh_calls(request: str) -> int:
            log = runner.run_to_end(request).log
            return sum(1 for e in log["events"] if e["type"] == "space_call" and e["status"] == "ok"
                       and e["tool"] == "text_to_3d" and not e.get("cached"))

        assert fresh_calls("a gallery of a red lighthouse and a windmill") == 2
        assert fresh_calls("a gallery of a red lighthouse and a windmill") == 0  # cached
        before = runner.registry.card("local:text_to_3d", "").revision
        app = spaces / "text_to_3d" / "app.py"
        app.write_text(app.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")  # the Space changed
        runner.registry.forget_card("local:text_to_3d")
        assert fresh_calls("a gallery of a red lighthouse and a windmill") == 2
        assert runner.registry.card("local:text_to_3d", "").revision not in (None, before)
    finally:
        fleet.stop()
        companions.use(companion_fleet)
    assert all(companions.healthy(url) for url in companion_urls.values())  # the session's Spaces still serve


def test_a_card_older_than_its_max_age_is_read_again(tmp_path):
    spaces = _spaces_copy(tmp_path, "text_to_3d")
    fleet = companions.Fleet(tmp_path / "home", spaces_dir=spaces)  # nothing starts: a card is read from files
    every_run = Registry((), connect_timeout_s=5, fleet=fleet, card_max_age_s=0)
    kept = Registry((), connect_timeout_s=5, fleet=fleet, card_max_age_s=3600)
    before = every_run.card("local:text_to_3d", "")
    assert before is not None and before.title == "Diorama Text to 3D"
    assert kept.card("local:text_to_3d", "") == before
    readme, app = spaces / "text_to_3d" / "README.md", spaces / "text_to_3d" / "app.py"
    readme.write_text(readme.read_text(encoding="utf-8").replace("title: Diorama Text to 3D", "title: Renamed"),
                      encoding="utf-8")
    app.write_text(app.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    after = every_run.card("local:text_to_3d", "")
    assert after is not None and after.title == "Renamed" and after.revision not in (None, before.revision)
    assert kept.card("local:text_to_3d", "") == before  # younger than its max age: the card read before
    kept.forget_card("local:text_to_3d")
    assert kept.card("local:text_to_3d", "") == after


def test_the_setting_reaches_the_runners_registry(companion_fleet, settings, tmp_path):
    """`[cache] card_max_age_s` from the config is the age the server's registry keeps a card for."""
    spaces = _spaces_copy(tmp_path, "text_to_3d")
    companions.use(companions.Fleet(tmp_path / "home", spaces_dir=spaces))  # nothing starts: cards come from files
    try:
        every_run = ChainRunner(settings.with_overrides(card_max_age_s=0.0)).registry
        kept = ChainRunner(settings.with_overrides(card_max_age_s=3600.0)).registry
        before = every_run.card("local:text_to_3d", "")
        assert kept.card("local:text_to_3d", "") == before
        app = spaces / "text_to_3d" / "app.py"
        app.write_text(app.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
        assert every_run.card("local:text_to_3d", "").revision != before.revision
        assert kept.card("local:text_to_3d", "") == before
    finally:
        companions.use(companion_fleet)


def test_a_card_that_is_missing_or_not_yaml_is_simply_absent(tmp_path):
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "README.md").write_text("# No front matter\n", encoding="utf-8")
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "README.md").write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    (tmp_path / "quoted").mkdir()
    (tmp_path / "quoted" / "README.md").write_text("---\ntitle: 'A: B'\nlicense: mit\n---\n", encoding="utf-8")
    assert local_card("missing", spaces_dir=tmp_path) is None
    assert local_card("broken", spaces_dir=tmp_path) is None
    plain = local_card("plain", spaces_dir=tmp_path)
    assert plain is None or (plain.title is None and plain.license is None)  # only the code hash, if anything
    quoted = local_card("quoted", spaces_dir=tmp_path)
    assert quoted is not None and quoted.title == "A: B" and quoted.license == "mit"  # real YAML, not a split on ':'
