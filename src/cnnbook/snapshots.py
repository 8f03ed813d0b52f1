"""Weights copied while a network trains, to watch its filters take shape.

:class:`WeightRecorder` counts a model's training steps with a forward pre-hook: every call
of the model in training mode is one mini-batch, so before call ``k`` the weights are those
after ``k`` optimiser steps. It copies the named parameters before the steps asked for and,
passed to :func:`cnnbook.train.fit` as ``on_epoch``, at the end of every epoch::

    with WeightRecorder(model, ["conv1.weight"], steps=[0, 20]) as recorder:
        train.fit(model, train_split, test_split, on_epoch=recorder.on_epoch)
    recorder.snapshots  # {0: {...}, 20: {...}, <end of epoch 1>: {...}, ...}
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import torch
from torch import nn

from cnnbook._checks import check_int
from cnnbook._probing import check_model

__all__ = ["WeightRecorder"]


class WeightRecorder:
    """Copies of some of a model's parameters at chosen training steps and epoch ends.

    ``snapshots`` maps a step count (optimiser steps done) to ``{name: tensor}`` (CPU
    copies); ``epoch_ends`` lists the step counts at which epochs ended. Use it as a
    context manager, or call :meth:`close` to remove the hook.
    """

    def __init__(self, model: nn.Module, names: Sequence[str], steps: Iterable[int] = ()) -> None:
        self.model = check_model(model)
        parameters = dict(model.named_parameters())
        if isinstance(names, str) or not names:
            raise TypeError(f"names must be a non-empty list of parameter names, got {names!r}")
        unknown = [n for n in names if n not in parameters]
        if unknown:
            raise ValueError(
                f"names must be parameters of the model ({', '.join(parameters)}); "
                f"got {unknown}"
            )
        self.names = tuple(names)
        self.steps = frozenset(check_int("steps", s, minimum=0) for s in steps)
        self.snapshots: dict[int, dict[str, torch.Tensor]] = {}
        self.epoch_ends: list[int] = []
        self.step = 0  # training calls seen so far
        self._handle = model.register_forward_pre_hook(self._before_forward)

    def _copy(self) -> None:
        parameters = dict(self.model.named_parameters())
        self.snapshots[self.step] = {
            name: parameters[name].detach().to("cpu", copy=True).contiguous()
            for name in self.names
        }

    def _before_forward(self, module: nn.Module, _inputs: object) -> None:
        if not module.training:
            return  # evaluation is not a training step
        if self.step in self.steps:
            self._copy()
        self.step += 1

    def on_epoch(self, _record: object = None) -> None:
        """Copy the parameters now: pass this as ``on_epoch`` to :func:`cnnbook.train.fit`."""
        self._copy()
        self.epoch_ends.append(self.step)

    def close(self) -> None:
        """Stop counting: remove the hook from the model."""
        self._handle.remove()

    def __enter__(self) -> WeightRecorder:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
