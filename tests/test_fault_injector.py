"""The fault-injecting Space: each failure mode as gradio_client sees it, the counts, and determinism."""

from __future__ import annotations

import concurrent.futures
import sys
from pathlib import Path

import httpx
import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError
from gradio_client.utils import QueueError

from tests.conftest import REPO

sys.path.insert(0, str(REPO / "spaces" / "fault_injector"))
import fi_faults  # noqa: E402

PROMPT = "Eiffel Tower"
HIDDEN = "has raised an exception but has not enabled verbose error reporting"


@pytest.fixture(scope="module")
def control(fault_url, tmp_path_factory) -> Client:
    """A client for /configure and /stats (never the one that receives faults)."""
    return Client(fault_url, verbose=False, download_files=str(tmp_path_factory.mktemp("fi-control")))


@pytest.fixture(scope="module")
def real_glb(companion_urls, tmp_path_factory) -> bytes:
    """The Eiffel Tower GLB straight from the bundled text_to_3d."""
    client = Client(companion_urls["text_to_3d"], verbose=False, download_files=str(tmp_path_factory.mktemp("t3d")))
    path, _ = client.submit(PROMPT, 0, api_name="/generate").result(timeout=30)
    return Path(path).read_bytes()


def configure(control: Client, p: float, modes: str = "all", *, seed: int = 0, hang_s: float = 2) -> dict:
    return control.submit(p, seed, modes, hang_s, api_name="/configure").result(timeout=10)


def stats(control: Client) -> dict:
    return control.submit(api_name="/stats").result(timeout=10)


def call(url: str, tmp_path: Path, prompt: str = PROMPT, *, timeout: float = 15):
    """One /generate call on a fresh Client, as a Diorama tool would make it."""
    client = Client(url, verbose=False, download_files=str(tmp_path))
    return client.submit(prompt, 0, api_name="/generate").result(timeout=timeout)


def test_same_endpoint_as_text_to_3d(fault_url, companion_urls, control):
    def shape(url):
        endpoint = Client(url, verbose=False).view_api(return_format="dict", print_info=False)["named_endpoints"]
        generate = endpoint["/generate"]
        return ([(p["parameter_name"], p["label"], p["component"]) for p in generate["parameters"]],
                [(r["label"], r["component"]) for r in generate["returns"]])

    assert shape(fault_url) == shape(companion_urls["text_to_3d"])


def test_p0_returns_the_real_glb(fault_url, control, real_glb, tmp_path):
    configure(control, 0)
    path, info = call(fault_url, tmp_path)
    assert Path(path).read_bytes() == real_glb
    assert info["kind"] == "eiffel_tower"
    assert stats(control)["calls"] == 1 and stats(control)["ok"] == 1


RAISING = [
    # mode, exception gradio_client raises, message match
    ("sleeping", QueueError, "Queue is full"),
    ("queue_full", QueueError, "Queue is full"),
    ("rate_limit", httpx.HTTPStatusError, "429 Too Many Requests"),
    ("zerogpu_quota", AppError, r"exceeded your GPU quota \(60s requested vs\. 56s left\)\. Try again in 1:02:03"),
    ("hidden_error", AppError, HIDDEN),
    ("input_error", AppError, "Prompt contains unsupported characters"),
    ("connection_reset", concurrent.futures.CancelledError, None),  # no message, as when a server dies mid-call
]


@pytest.mark.parametrize(("mode", "error", "match"), RAISING, ids=[m for m, *_ in RAISING])
def test_raising_modes(fault_url, control, tmp_path, mode, error, match):
    configure(control, 1, mode)
    with pytest.raises(error, match=match):
        call(fault_url, tmp_path)
    counts = stats(control)
    assert counts["faults"][mode] == 1 and counts["injected"] == 1 and counts["calls"] == 1


def test_zerogpu_error_has_its_title(fault_url, control, tmp_path):
    configure(control, 1, "zerogpu_quota")
    with pytest.raises(AppError) as caught:
        call(fault_url, tmp_path)
    assert caught.value.title == "ZeroGPU quota exceeded"


@pytest.mark.parametrize(("mode", "status", "body"), [
    ("sleeping", 503, "sleeping"),
    ("queue_full", 503, '{"detail": "Queue is full. Max size is 16 and size is 16."}'),
    ("rate_limit", 429, "Too many requests"),
])
def test_http_modes_answer_the_queue_join(fault_url, control, mode, status, body):
    config = httpx.get(fault_url + "config", timeout=5).json()
    fn_index = next(d["id"] for d in config["dependencies"] if d.get("api_name") == "generate")
    configure(control, 1, mode)
    response = httpx.post(fault_url + "gradio_api/queue/join", timeout=5,
                          json={"data": [PROMPT, 0], "fn_index": fn_index, "session_hash": "rawtest"})
    assert response.status_code == status
    assert body in response.text


def test_connection_reset_drops_only_the_stream(fault_url, control, tmp_path):
    configure(control, 1, "connection_reset")
    with pytest.raises(concurrent.futures.CancelledError):
        call(fault_url, tmp_path)
    configure(control, 0)
    path, _ = call(fault_url, tmp_path)  # the server is fine afterwards
    assert Path(path).stat().st_size > 1000


def test_hang_waits_then_answers(fault_url, control, real_glb, tmp_path):
    configure(control, 1, "hang", hang_s=2)
    client = Client(fault_url, verbose=False, download_files=str(tmp_path))
    job = client.submit(PROMPT, 0, api_name="/generate")
    with pytest.raises(TimeoutError):
        job.result(timeout=1)
    path, _ = job.result(timeout=60)  # the job kept running (it had not answered after 1 s: it hung)
    assert Path(path).read_bytes() == real_glb
    assert stats(control)["faults"]["hang"] == 1


def test_wrong_shape_returns_no_file(fault_url, control, tmp_path):
    configure(control, 1, "wrong_shape")
    path, info = call(fault_url, tmp_path)
    assert path is None and isinstance(info, dict)
    assert stats(control)["faults"]["wrong_shape"] == 1


@pytest.mark.parametrize("mode", ["html_as_glb", "empty_file", "truncated_glb"])
def test_bad_files(fault_url, control, real_glb, tmp_path, mode):
    configure(control, 1, mode)
    path, _ = call(fault_url, tmp_path)
    data = Path(path).read_bytes()
    assert path.endswith(".glb")
    expected = {"html_as_glb": data.startswith(b"<!DOCTYPE html>"), "empty_file": data == b"",
                "truncated_glb": data == real_glb[: len(real_glb) // 2]}
    assert expected[mode]
    assert stats(control)["faults"][mode] == 1


def _outcomes(url: str, tmp_path: Path, prompts: list[str]) -> list[str]:
    client = Client(url, verbose=False, download_files=str(tmp_path))
    seen = []
    for prompt in prompts:
        try:
            client.submit(prompt, 0, api_name="/generate").result(timeout=15)
            seen.append("ok")
        except AppError as exc:
            seen.append("quota" if "GPU quota" in exc.message else "input" if "unsupported" in exc.message
                        else "hidden")
    return seen


def test_same_seed_same_faults(fault_url, control, tmp_path):
    prompts = ["Eiffel Tower", "Louvre Pyramid", "Eiffel Tower", "Notre-Dame", "Louvre Pyramid",
               "Eiffel Tower", "Notre-Dame", "Eiffel Tower"]
    modes = "zerogpu_quota,hidden_error,input_error"
    configure(control, 0.5, modes, seed=11)
    first = _outcomes(fault_url, tmp_path, prompts)
    configure(control, 0.5, modes, seed=11)
    assert _outcomes(fault_url, tmp_path, prompts) == first
    config = fi_faults.FaultConfig.build(0.5, 11, modes, 2)
    count: dict[str, int] = {}
    expected = []
    for prompt in prompts:  # the pure decision function predicts the same sequence
        expected.append(fi_faults.decide(config, prompt, count.get(prompt, 0)))
        count[prompt] = count.get(prompt, 0) + 1
    names = {"ok": "ok", "zerogpu_quota": "quota", "input_error": "input", "hidden_error": "hidden"}
    assert [names[m] for m in expected] == first
    assert "ok" in first and len(set(first)) > 1
    assert stats(control)["calls"] == len(prompts)


def test_decisions_follow_p_and_seed():
    config = fi_faults.FaultConfig.build(0.3, 5, "all", 1)
    draws = [fi_faults.decide(config, f"prompt {i}", 0) for i in range(2000)]
    assert 0.25 < sum(d != "ok" for d in draws) / len(draws) < 0.35
    assert set(draws) == {"ok", *fi_faults.MODES}
    other = fi_faults.FaultConfig.build(0.3, 6, "all", 1)
    assert draws != [fi_faults.decide(other, f"prompt {i}", 0) for i in range(2000)]


@pytest.mark.parametrize(("values", "match"), [
    ((1.5, 0, "all", 1), "Value 1.5 is greater than maximum value 1"),  # gr.Number's own range check
    ((0.1, 0, "queue_full,melting", 1), "unknown mode.*melting.*use 'all' or a comma list of: sleeping"),
    ((0.1, 0, "all", -1), "Value -1 is less than minimum value 0"),
])
def test_configure_rejects_bad_values(control, values, match):
    with pytest.raises(AppError, match=match):
        control.submit(*values, api_name="/configure").result(timeout=10)


def test_env_values_are_checked():
    with pytest.raises(fi_faults.FaultConfigError, match="FAULT_P must be a probability.*'lots'"):
        fi_faults.FaultConfig.from_env({"FAULT_P": "lots"})
    config = fi_faults.FaultConfig.from_env({"FAULT_P": "0.2", "FAULT_MODES": "hang, queue_full", "FAULT_HANG_S": "3"})
    assert config.modes == ("queue_full", "hang") and config.p == 0.2 and config.hang_s == 3
