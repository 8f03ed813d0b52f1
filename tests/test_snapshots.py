"""WeightRecorder: copies taken before the right training steps and at every epoch's end."""

import pytest
import torch
from torch import nn

from cnnbook import data, train
from cnnbook.snapshots import WeightRecorder


class Logged(nn.Module):
    """A tiny classifier that keeps its own copy of its weight at every training call."""

    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(16, 2)
        self.log: list[torch.Tensor] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.training:
            self.log.append(self.fc.weight.detach().clone())
        return self.fc(x.flatten(1))


def tiny_split(n: int = 64, seed: int = 0) -> data.Split:
    gen = torch.Generator().manual_seed(seed)
    images = torch.randn(n, 1, 4, 4, generator=gen)
    labels = (images.mean(dim=(1, 2, 3)) > 0).long()
    return data.Split(images, labels, ("low", "high"), 0.0, 1.0)


def test_snapshots_are_the_weights_before_each_step_and_after_each_epoch():
    torch.manual_seed(0)
    net, split = Logged(), tiny_split()
    with WeightRecorder(net, ["fc.weight", "fc.bias"], steps=[0, 2, 5, 100]) as recorder:
        train.fit(net, split, split, epochs=2, batch_size=16, seed=0, progress=False,
                  on_epoch=recorder.on_epoch)
    assert len(net.log) == 8 and recorder.step == 8  # evaluation calls are not steps
    assert recorder.epoch_ends == [4, 8]
    assert sorted(recorder.snapshots) == [0, 2, 4, 5, 8]
    for step in (0, 2, 5):
        assert torch.equal(recorder.snapshots[step]["fc.weight"], net.log[step])
    assert torch.equal(recorder.snapshots[8]["fc.weight"], net.fc.weight.detach())
    assert torch.equal(recorder.snapshots[8]["fc.bias"], net.fc.bias.detach())
    assert not torch.equal(recorder.snapshots[0]["fc.weight"], recorder.snapshots[8]["fc.weight"])


def test_the_recorder_changes_nothing_and_stops_counting_when_closed():
    split = tiny_split()
    runs = []
    for record in (False, True):
        torch.manual_seed(0)
        net = Logged()
        recorder = WeightRecorder(net, ["fc.weight"], steps=[1]) if record else None
        train.fit(net, split, split, epochs=1, batch_size=16, seed=0, progress=False,
                  on_epoch=recorder.on_epoch if record else None)
        runs.append(net.fc.weight.detach().clone())
    assert torch.equal(runs[0], runs[1])
    recorder.close()
    net.train()
    net(torch.zeros(1, 1, 4, 4))
    assert recorder.step == 4


def test_the_recorder_rejects_bad_arguments():
    net = Logged()
    with pytest.raises(ValueError, match=r"names must be parameters of the model \(fc.weight, "):
        WeightRecorder(net, ["conv1.weight"])
    with pytest.raises(TypeError, match="names must be a non-empty list"):
        WeightRecorder(net, "fc.weight")
    with pytest.raises(ValueError, match="steps must be an integer >= 0"):
        WeightRecorder(net, ["fc.weight"], steps=[-1])
    with pytest.raises(TypeError, match="model must be a torch.nn.Module"):
        WeightRecorder("net", ["fc.weight"])
