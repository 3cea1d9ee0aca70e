import pytest

from stack_choice import ContainerStack, chosen_backend, make_stack
from towngrid_devstack import LocalStack, StackConfig


def test_auto_follows_the_docker_engine() -> None:
    assert chosen_backend("auto", engine_answers=lambda: True) == "containers"
    assert chosen_backend("auto", engine_answers=lambda: False) == "local"
    assert chosen_backend("", engine_answers=lambda: False) == "local"


def test_an_explicit_choice_wins() -> None:
    assert chosen_backend("local", engine_answers=lambda: True) == "local"
    assert chosen_backend("containers", engine_answers=lambda: False) == "containers"


def test_a_wrong_choice_names_the_setting() -> None:
    with pytest.raises(ValueError, match="TOWNGRID_TEST_STACK"):
        chosen_backend("kubernetes")


def test_both_backends_serve_the_same_addresses(tmp_path) -> None:  # noqa: ANN001
    config = StackConfig(profile="choice", kafka_port=19992, mongo_port=27992, data_dir=tmp_path)
    assert isinstance(make_stack(config, "local"), LocalStack)
    containers = make_stack(config, "containers")
    assert isinstance(containers, ContainerStack) and containers.config.kafka_bootstrap == "127.0.0.1:19992"
