"""How many threads torch takes in each kind of process."""

import importlib
import os
import subprocess
import sys

import pytest
import torch

from search.ml.encoders.device import device_profile


@pytest.fixture
def torch_threads():
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({}, len(os.sched_getaffinity(0))),
        ({"OMP_NUM_THREADS": "1"}, 1),
        ({"VITRINE_TORCH_THREADS": "1", "OMP_NUM_THREADS": "2"}, 1),
    ],
)
def test_a_cpu_process_takes_every_core_unless_told(
    monkeypatch, torch_threads, environment, expected
):
    for name in ("VITRINE_DEVICE", "VITRINE_TORCH_THREADS", "OMP_NUM_THREADS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    torch.set_num_threads(3)
    assert device_profile().device.type == "cpu"
    assert torch.get_num_threads() == expected


def test_the_web_servers_workers_take_one_thread_each_by_default(monkeypatch):
    # The server's configuration sets it for the workers it forks; here, on a copy.
    environment = {k: v for k, v in os.environ.items() if k != "VITRINE_TORCH_THREADS"}
    monkeypatch.setattr(os, "environ", environment)
    importlib.reload(importlib.import_module("vitrine.gunicorn"))
    assert environment["VITRINE_TORCH_THREADS"] == "1"


# A request's thread runs the match head and the query's encoding: it must add no OpenMP team
# of its own (torch.set_num_threads, called by the thread that loaded the model, does not reach
# it). The threads of the process are counted from inside the request's thread.
REQUEST_THREAD = """
import os, threading, torch
torch.set_num_threads(1)  # as loading the model does, in the warm-up thread
threads = []
def request():
    matrix = torch.randn(256, 256)
    for _ in range(20):
        matrix @ matrix
    threads.append(len(os.listdir("/proc/self/task")))
thread = threading.Thread(target=request)
thread.start()
thread.join()
print(threads[0])
"""


def threads_of_a_request(environment: dict[str, str]) -> int:
    ran = subprocess.run(
        [sys.executable, "-c", REQUEST_THREAD], env=environment, capture_output=True, check=True
    )
    return int(ran.stdout)


def test_a_web_workers_request_threads_start_no_team_of_threads(monkeypatch):
    environment = {
        k: v for k, v in os.environ.items() if k not in ("VITRINE_TORCH_THREADS", "OMP_NUM_THREADS")
    }
    unconfigured = threads_of_a_request(environment)
    monkeypatch.setattr(os, "environ", environment)
    importlib.reload(importlib.import_module("vitrine.gunicorn"))
    assert threads_of_a_request(environment) == 2  # the main thread and the request's
    # Without the server's configuration, a team as large as the machine joins them.
    assert unconfigured > 2 or len(os.sched_getaffinity(0)) == 1
