"""The UI's start-up: the examples' scenes rendered ahead, and a status line while bundled Spaces start.

At server start a background thread runs each example once, with a runner of its own
(`<data>/examples`: its history and cache, so the examples are not the users' runs),
and keeps each scene as `<data>/runs/examples/<key>.glb`,
so clicking an example shows its scene at once. The key covers the example's text and
the code of the Spaces the config uses, so a changed Space renders its examples again.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import threading
from pathlib import Path
from typing import Any

from agent.run import runs_dir
from agent.runner import ChainRunner
from tools import companions
from tools.errors import DioramaError

logger = logging.getLogger(__name__)

__all__ = ["ExampleScenes", "spaces_status"]


class ExampleScenes:
    """Scenes of the UI's examples, rendered in the background and kept in the data folder.

    Args:
        runner: the app's runner (its data folder, config and bundled Spaces).
        examples: the example requests, in the order the UI lists them.
    """

    def __init__(self, runner: ChainRunner, examples: list[str]) -> None:
        self.runner = runner
        self.examples = list(examples)
        self.folder = runs_dir(runner.settings.data_dir) / "examples"
        self._done = threading.Event()

    def path(self, example: str) -> Path:
        """Where the example's scene is kept (it may not exist yet)."""
        return self.folder / f"{self._key(example)}.glb"

    def scene(self, example: str) -> str | None:
        """The example's pre-rendered scene, or None while it is not rendered."""
        path = self.path(example)
        return str(path) if path.is_file() else None

    @property
    def ready(self) -> bool:
        """True once every example is rendered, or rendering ended (or is off: `ui.prerender_examples`)."""
        return (self._done.is_set() or not self.runner.settings.prerender_examples
                or all(self.scene(e) for e in self.examples))

    def render_in_background(self) -> threading.Thread:
        """Render the missing examples one after another in a daemon thread (started here)."""
        thread = threading.Thread(target=self._render_all, daemon=True, name="example-scenes")
        thread.start()
        return thread

    def _render_all(self) -> None:
        runner = None
        try:
            for example in self.examples:
                if self.scene(example) is None:
                    if runner is None:
                        settings = self.runner.settings
                        runner = ChainRunner(settings.with_overrides(data_dir=Path(settings.data_dir) / "examples",
                                                                     keep_runs=len(self.examples)))
                    self._render(runner, example)
        finally:
            if runner is not None:
                runner.close()
            self._done.set()

    def _render(self, runner: ChainRunner, example: str) -> None:
        try:
            outcome = runner.run_to_end(example)
        except DioramaError as exc:
            logger.warning("example %r was not pre-rendered: %s", example, exc)
            return
        if outcome.scene is None:
            logger.warning("example %r was not pre-rendered: %s", example, outcome.log["result"].get("error"))
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.path(example)
        temporary = target.with_suffix(".tmp")
        shutil.copyfile(outcome.scene, temporary)
        temporary.replace(target)
        logger.info("example %r pre-rendered: %s", example, target.name)

    def _key(self, example: str) -> str:
        sha = hashlib.sha256(example.encode())
        sha.update(Path(self.runner.settings.config_path).read_bytes())
        fleet = self.runner.registry.fleet
        for name in sorted({p.local_name for t in self.runner.settings.tools for p in t.providers if p.local_name}):
            try:
                sha.update(fleet.identity(name).encode())
            except DioramaError:
                continue
        return sha.hexdigest()[:24]


def spaces_status(examples: ExampleScenes) -> tuple[str, Any]:
    """The start-up line ("Starting Spaces: text_to_3d …") and whether to keep polling (a `gr.Timer` update)."""
    import gradio as gr

    starting = companions.starting_now()
    if starting:
        return f"⏳ Starting Spaces: {', '.join(starting)} …", gr.Timer(active=True)
    if not examples.ready:
        return "⏳ Rendering the examples' scenes …", gr.Timer(active=True)
    return "", gr.Timer(active=False)


_by_runner: dict[int, ExampleScenes] = {}
_by_runner_lock = threading.Lock()


def example_scenes(runner: ChainRunner, examples: list[str]) -> ExampleScenes:
    """The one `ExampleScenes` of a runner (the page's click handler and the start-up thread share it)."""
    with _by_runner_lock:
        if id(runner) not in _by_runner or _by_runner[id(runner)].runner is not runner:
            _by_runner[id(runner)] = ExampleScenes(runner, examples)
        return _by_runner[id(runner)]


def wire_startup(runner: ChainRunner, examples: list[str], example_set: Any, status: Any, scene: Any) -> None:
    """Inside the Blocks: clicking an example shows its pre-rendered scene in `scene` at once, and `status`
    (a Markdown) says "Starting Spaces …" until the bundled Spaces answer and the examples are rendered."""
    import gradio as gr

    scenes = example_scenes(runner, examples)

    def show_example(value: Any) -> Any:
        index = value[0] if isinstance(value, (list, tuple)) else value
        found = scenes.scene(examples[index]) if isinstance(index, int) and 0 <= index < len(examples) else None
        return found if found else gr.update()

    def poll() -> tuple[str, Any]:
        return spaces_status(scenes)

    example_set.dataset.click(show_example, [example_set.dataset], [scene], api_visibility="private",
                              show_progress="hidden", concurrency_limit=None)
    timer = gr.Timer(1.0)
    timer.tick(poll, None, [status, timer], api_visibility="private", show_progress="hidden", concurrency_limit=None)
