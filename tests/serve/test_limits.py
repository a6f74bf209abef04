"""Service settings and parameter rules (plain Python, no server)."""

from __future__ import annotations

import pytest

from maclip import FusionParams
from maclip.cli import main
from maclip.serve.limits import RequestError, ServeSettings, clean_name, parse_params


def test_settings_refuse_impossible_limits() -> None:
    ServeSettings()  # the defaults are valid
    with pytest.raises(ValueError, match="queue_size"):
        ServeSettings(max_images=10, queue_size=5)
    with pytest.raises(ValueError, match="max_upload_bytes"):
        ServeSettings(max_upload_bytes=0)
    with pytest.raises(ValueError, match="batch_window_s"):
        ServeSettings(batch_window_s=-0.1)


def test_serve_command_reports_bad_limits(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--max-images", "10", "--queue-size", "5"]) == 2
    assert "queue_size must be at least max_images" in capsys.readouterr().err
    assert main(["serve", "--max-connections", "0"]) == 2
    assert "--max-connections must be at least 1" in capsys.readouterr().err


def test_parameters_override_server_defaults() -> None:
    defaults = FusionParams(lam=0.5, alpha=1.0, b_sim=1.0, b_mag=0.6)
    params = parse_params({"alpha": "2", "b_mag": "-0.5"}, "clipiqa", defaults, explain=False)
    assert params.method == "clipiqa"
    assert params.fusion == FusionParams(lam=0.5, alpha=2.0, b_sim=1.0, b_mag=-0.5)
    assert not params.views and not params.explain
    explained = parse_params({"overlay": "yes", "field": "w_mag"}, "maclip", defaults, True)
    assert explained.views and explained.explain and explained.overlay
    assert explained.field == "w_mag"


def test_bad_parameter_names_the_parameter() -> None:
    with pytest.raises(RequestError) as caught:
        parse_params({"lam": "1e999"}, "maclip", FusionParams(), explain=False)
    assert caught.value.status == 422 and "lam" in caught.value.message


def test_names_are_cleaned_labels() -> None:
    assert clean_name("a\nb\x00.png") == "ab.png"
    assert clean_name("") == "upload"
    assert len(clean_name("x" * 1000)) == 200
