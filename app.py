"""Diorama: one request -> an agent chaining Gradio Spaces -> one walkable 3D scene.

    python app.py                                   # the web UI (and API, /build) on http://127.0.0.1:7860
    python app.py --prompt "..." --out scene.glb --log chain.json   # headless, same job
    python app.py --config my.toml ...              # another config file
    python app.py --no-mcp                          # no MCP server (also GRADIO_MCP_SERVER=False)
    python app.py --history [N]                     # the last N runs, one JSON object a line
    python app.py --edit RUN_ID "remove the obelisk" --out v2.glb   # change a run's scene as a new run
    python app.py --prompt "..." --recipe NAME      # replay a saved recipe for new subjects (no LLM)
    python app.py --call SPACE_OR_URL /endpoint --args '{"prompt": "a red box"}'   # one call, result as JSON
    python app.py --suggest text_to_3d              # Spaces for a capability: catalog + Hub search (JSON)
    python app.py --stop-companions                 # stop the shared bundled Spaces now (else they idle out)
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from pathlib import Path

_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Diorama: build a 3D scene by chaining Gradio Spaces.")
    parser.add_argument("--config", type=Path, default=None, help="config file (default: diorama.toml)")
    parser.add_argument("--prompt", help="run one request headless instead of serving the UI")
    parser.add_argument("--resume", metavar="RUN_ID", help="finish a failed, cancelled or killed run headless, "
                        "replaying the Space calls it already finished")
    parser.add_argument("--edit", nargs=2, metavar=("RUN_ID", "INSTRUCTION"), help="change that run's scene "
                        "with a follow-up (e.g. \"remove the obelisk\") as a new run, headless")
    parser.add_argument("--out", type=Path, help="with --prompt: where to write the scene GLB")
    parser.add_argument("--log", type=Path, help="with --prompt: where to write the chain log JSON")
    parser.add_argument("--host", default=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("GRADIO_SERVER_PORT", "7860")))
    parser.add_argument("--no-mcp", dest="mcp", action="store_false",
                        default=os.environ.get("GRADIO_MCP_SERVER", "True").lower() not in ("false", "0", "no"),
                        help="do not serve the MCP server at /gradio_api/mcp/ (on by default)")
    parser.add_argument("--history", metavar="N", type=int, nargs="?", const=20, default=None,
                        help="print the last N runs (default 20), one JSON object a line, and exit")
    parser.add_argument("--recipe", metavar="NAME", help="with --prompt: replay the saved recipe NAME for the "
                        "request's subjects, without the LLM")
    parser.add_argument("--save-recipe", metavar="NAME", help="with --prompt: save the run as recipe NAME if it "
                        "succeeds; with --from-run: save that past run")
    parser.add_argument("--from-run", metavar="RUN_ID", help="with --save-recipe: the run to save")
    parser.add_argument("--describe", metavar="SPACE_ID_OR_URL", help="print, as JSON, the tools Diorama would "
                        "make from that Gradio app's API, and exit")
    parser.add_argument("--call", nargs=2, metavar=("SPACE_OR_URL", "ENDPOINT"), help="call one endpoint as a "
                        "Diorama tool with --args and print the result as JSON (exit 0; 1: the Space refused or "
                        "failed; 2: bad arguments, nothing sent)")
    parser.add_argument("--args", dest="call_args", metavar="JSON", default="{}",
                        help="with --call: the arguments as a JSON object")
    parser.add_argument("--suggest", metavar="CAPABILITY", help="print, as JSON, Spaces for a capability "
                        "(text_to_3d, image_to_3d, text_to_image, scene_assembly): the catalog, plus a Hub "
                        "search when online; and exit")
    parser.add_argument("--stop-companions", action="store_true", help="stop the bundled Spaces shared through "
                        "the data folder now (they otherwise exit after limits.companion_idle_s unused), and exit")
    return parser.parse_args(argv)


def _configure_logging() -> None:
    level = os.environ.get("LOG_LEVEL", "INFO").upper()
    if level not in _LOG_LEVELS:
        logging.basicConfig(level=logging.INFO)
        logging.getLogger(__name__).warning("LOG_LEVEL=%r is not one of %s; using INFO.", level, _LOG_LEVELS)
        return
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "httpcore", "gradio_client", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _prepare_environment(settings) -> None:
    """No phone-home, ever; and no Hub at all when nothing configured needs it (set before importing gradio)."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    if settings.offline:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")


def _use_companions(settings) -> None:
    """Share the bundled Spaces with the other Diorama processes of this data folder (started when first needed)."""
    from tools import companions

    companions.use(companions.Fleet(settings.companions_dir, start_timeout_s=settings.companion_start_timeout_s,
                                    idle_s=settings.companion_idle_s))


def _exit_now(code: int) -> None:
    """Exit without waiting for gradio_client threads of abandoned (timed-out, cancelled) jobs, which may never
    finish. Shared bundled Spaces keep running for the next run and exit when idle."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    from agent.config import Settings
    from tools.errors import ConfigError

    try:
        settings = Settings.load(args.config)
    except ConfigError as exc:
        print(f"diorama: {exc}", file=sys.stderr)
        return 2
    if args.suggest is not None:  # no HF_HUB_OFFLINE here either: the Hub search is the point
        os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
        from tools.discovery import main as suggest_main
        return suggest_main(args.suggest, allowed=settings.allowlist.allows)
    if args.describe is not None:  # no HF_HUB_OFFLINE here: a Hub id needs the Hub even in offline setups
        os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
        os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
        from tools.describe import main as describe_main
        return describe_main(args.describe, connect_timeout_s=settings.connect_timeout_s, token=settings.hf_token)
    if args.call is not None:  # like --describe: a Hub id needs the Hub
        os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
        os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
        logging.basicConfig(level=logging.ERROR)
        from agent.cli import call_endpoint
        _exit_now(call_endpoint(settings, args.call[0], args.call[1], args.call_args))
    _prepare_environment(settings)
    _use_companions(settings)
    if args.stop_companions:
        from agent.cli import stop_companions
        return stop_companions(settings)
    if args.history is not None:
        from agent.cli import print_history
        return print_history(settings, args.history)
    if args.prompt is not None or args.resume is not None or args.from_run is not None or args.edit is not None:
        logging.basicConfig(level=logging.WARNING)
        from agent.cli import run_headless, save_recipe_from_run

        if args.from_run is not None:
            code = save_recipe_from_run(settings, args.save_recipe or "", args.from_run)
        else:
            code = run_headless(settings, args.prompt, out=args.out, log_path=args.log, resume=args.resume,
                                recipe=args.recipe, save_recipe=args.save_recipe,
                                edit=tuple(args.edit) if args.edit else None)
        _exit_now(code)
    _configure_logging()
    from ui.blocks import build_demo, launch_kwargs
    from agent.runner import ChainRunner

    signal.signal(signal.SIGTERM, lambda *_: _exit_now(0))
    runner = ChainRunner(settings)
    demo = build_demo(runner)
    demo.queue(default_concurrency_limit=4, max_size=32)
    demo.launch(server_name=args.host, server_port=args.port, mcp_server=args.mcp, **launch_kwargs(runner))
    return 0


def _main_or_one_line() -> int:
    """`main`, with any unexpected failure as one line on stderr (the traceback goes to the log), exit 1."""
    try:
        return main()
    except KeyboardInterrupt:
        print("diorama: interrupted; files made so far are kept in the run folder.", file=sys.stderr)
        return 130
    except Exception as exc:
        import tempfile

        from tools.errors import user_message

        path = os.environ.get("DIORAMA_DEBUG_LOG") or os.path.join(tempfile.gettempdir(), "diorama-debug.log")
        debug = logging.getLogger("diorama")
        debug.propagate = False  # the traceback goes to the debug log only, not to the console
        debug.addHandler(logging.FileHandler(path, encoding="utf-8"))
        message = user_message(exc, where="the command line").replace("the server log", path)
        print(f"diorama: {message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(_main_or_one_line())
