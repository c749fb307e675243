"""`make run`'s process group: web, the worker, the trainer and beat start together and stop
together."""

import os
import signal
import socket
import sys
import time
from pathlib import Path

import psutil
import pytest
from django.conf import settings

from tests.processes import (
    current_database_url,
    free_port,
    project_env,
    start_procfile,
    wait_for_page,
)
from vitrine.celery import app
from workers.tasks import ping

pytestmark = pytest.mark.slow  # started first: tests/conftest.py


def test_web_workers_and_beat_run_together_and_stop_on_ctrl_c(db, tmp_path):
    port = free_port()
    venv_bin = str(Path(sys.executable).parent)
    env = project_env(
        VITRINE_DATA_DIR=str(tmp_path),
        DATABASE_URL=current_database_url(),
        REDIS_URL=settings.REDIS_URL,
        DJANGO_DEBUG="1",
        WEB_PORT=str(port),
        PATH=f"{venv_bin}{os.pathsep}{os.environ['PATH']}",
    )
    honcho = start_procfile("Procfile", env)
    try:
        assert wait_for_page(port, "/", timeout=60) == 200
        assert ping.delay().get(timeout=60)["pong"] is True
        children = psutil.Process(honcho.pid).children(recursive=True)
        commands = " ".join(" ".join(child.cmdline()) for child in children)
        assert "runserver" in commands and " worker " in commands and " beat " in commands
        # Training has a worker of its own, so that embedding goes on while it trains.
        trainer = f"trainer@{socket.gethostname()}"
        assert consumed_queues(trainer, timeout=60) == ["train"]
    finally:
        honcho.send_signal(signal.SIGINT)
        output, _ = honcho.communicate(timeout=60)
    assert not [child for child in children if child.is_running() and child.status() != "zombie"]
    assert list(tmp_path.glob("celerybeat-schedule*")), output  # beat ran on this data dir


def consumed_queues(worker: str, timeout: float) -> list[str]:
    """The queues that `worker` consumes, asked over the broker once it answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answers = app.control.inspect(destination=[worker], timeout=2).active_queues() or {}
        if worker in answers:
            return [queue["name"] for queue in answers[worker]]
    raise AssertionError(f"{worker} never answered")
