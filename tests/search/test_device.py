"""How many threads torch takes in each kind of process."""

import importlib
import os

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
