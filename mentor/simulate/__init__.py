"""Simulate annotation with an oracle: does the teach loop pay on this data?"""
from .curve import SimulationResult, StrategyCurve, labels_to_reach, labels_to_stay, simulate
from .data import Labelled, default_labels, label_counts, read_labelled, split_eval
from .replay import STRATEGIES, ModelKit, SimulationConfig, evaluate, replay_answers, run_full_data, run_strategy

__all__ = [
    "Labelled", "read_labelled", "split_eval", "label_counts", "default_labels",
    "SimulationConfig", "ModelKit", "run_strategy", "run_full_data", "replay_answers", "evaluate", "STRATEGIES",
    "simulate", "SimulationResult", "StrategyCurve", "labels_to_reach", "labels_to_stay",
]
