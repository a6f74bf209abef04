"""Evaluation of maclip on IQA datasets: readers, metrics, feature cache, sweeps, figures.

Modules: :mod:`~maclip.eval.datasets` (dataset readers and registry),
:mod:`~maclip.eval.metrics` (SRCC, KRCC, PLCC, RMSE, bootstrap CIs),
:mod:`~maclip.eval.cache` (on-disk feature cache), :mod:`~maclip.eval.features`
(scoring from cached features), :mod:`~maclip.eval.evaluate` (metrics per method),
:mod:`~maclip.eval.sweep` (grid search with a held-out split),
:mod:`~maclip.eval.plots` and :mod:`~maclip.eval.explain` (figures, matplotlib),
:mod:`~maclip.eval.synthetic` (distortion benchmark on bundled photos) and
:mod:`~maclip.eval.commands` (``maclip-pytorch eval``, ``sweep``, ``explain``).

Importing this package needs only maclip's core dependencies; scipy, matplotlib,
openpyxl and scikit-image (the ``eval`` extra) are imported where they are used.
"""
