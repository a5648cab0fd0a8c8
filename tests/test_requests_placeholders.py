"""A placeholder is said everywhere a person looks: the answer, the UI status, the chat and the CLI progress."""

from __future__ import annotations

from agent.events import answer_text, event_to_message, progress_line
from agent.planner import PLACEHOLDER_NOTE
from ui.progress import placeholders, status_line

REASON = "no builder for 'flux capacitor'"
CALL = {"type": "space_call", "id": "call-2", "tool": "text_to_3d", "space": "local:text_to_3d",
        "endpoint": "/generate", "status": "ok", "inputs": {"prompt": "flux capacitor"}, "duration_s": 0.1,
        "output": {"glb": "assets/call-2_sculpture.glb", "info": {"kind": "sculpture", "placeholder": REASON}}}
REAL = {**CALL, "id": "call-1", "inputs": {"prompt": "laptop"},
        "output": {"glb": "assets/call-1_laptop.glb", "info": {"kind": "laptop", "placeholder": None}}}


def test_answer_notes_each_placeholder() -> None:
    note = f"{REASON}: {PLACEHOLDER_NOTE}"
    text = answer_text({"scene": "scene.glb", "objects": ["laptop", "flux capacitor"], "missing": {}, "notes": [note]})
    assert text == ("Scene ready with 2 object(s): laptop, flux capacitor. Note: no builder for 'flux capacitor': "
                    "shown as a placeholder; a real text-to-3D Space would make it.")
    assert answer_text({"scene": "s.glb", "objects": ["laptop"], "missing": {}}) == \
        "Scene ready with 1 object(s): laptop."


def test_status_line_chat_title_and_cli_line_show_the_placeholder() -> None:
    log = {"run_id": "r1", "events": [REAL, CALL], "result": {"scene": "scene.glb"}, "timings": {"total_s": 1.0}}
    assert placeholders(log) == {"call-2": REASON}
    assert f"⚠️ 1 placeholder(s): {REASON}" in status_line(log)
    assert "placeholder" not in status_line({**log, "events": [REAL]})
    assert event_to_message(CALL)["metadata"]["title"].endswith(f"⚠️ placeholder: {REASON}")
    assert "placeholder" not in event_to_message(REAL)["metadata"]["title"]
    assert f"(placeholder: {REASON})" in progress_line(CALL)
    assert "placeholder" not in progress_line(REAL)
