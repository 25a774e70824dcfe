"""The chat-provider registry: built-ins register like plugins, plugins load from entry points, fakes go
through the same door."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest
from langchain_openai import ChatOpenAI

from assistant.errors import ConfigError
from assistant.llm import registry
from assistant.llm.fake import FakeChatModel, install_fake
from assistant.llm.registry import (
    ENTRY_POINT_GROUP, available_providers, create_chat_model, plugin_errors, register_chat_provider,
    unregister_chat_provider,
)
from assistant.llm.settings import LLMSettings


@pytest.fixture
def fresh_registry(monkeypatch):
    """An empty, not-yet-loaded registry (restored afterwards)."""
    monkeypatch.setattr(registry, "_providers", {})
    monkeypatch.setattr(registry, "_plugin_errors", {})
    monkeypatch.setattr(registry, "_loaded", False)
    return registry


def test_the_builtin_openai_provider_registers_through_the_public_call(fresh_registry, monkeypatch):
    calls = []
    real = registry.register_chat_provider
    monkeypatch.setattr(registry, "register_chat_provider",
                        lambda name, factory: (calls.append(name), real(name, factory)))
    import assistant.llm.providers as providers

    monkeypatch.setattr(providers, "register_chat_provider", registry.register_chat_provider)
    monkeypatch.setattr(registry, "entry_points", lambda group: [])
    assert "openai" in available_providers()
    assert calls == ["openai"]


def test_openai_provider_builds_chat_openai_without_sdk_retries_and_with_max_tokens_for_compatible_servers():
    model = create_chat_model(LLMSettings(base_url="http://127.0.0.1:9/v1", model="m", max_tokens=64,
                                          timeout_s=5, temperature=0.2))
    assert isinstance(model, ChatOpenAI)
    assert (model.max_retries, model.model_name, model.temperature, model.request_timeout) == (0, "m", 0.2, 5)
    assert model.extra_body == {"max_tokens": 64} and model.max_tokens is None
    official = create_chat_model(LLMSettings(api_key="k", max_tokens=64))
    assert official.max_tokens == 64 and not official.extra_body


def test_plugins_are_loaded_from_the_entry_point_group(fresh_registry, monkeypatch):
    seen = []
    good = EntryPoint(name="myplugin", value="tests_plugin:factory", group=ENTRY_POINT_GROUP)
    broken = EntryPoint(name="broken", value="no_such_module_xyz:factory", group=ENTRY_POINT_GROUP)
    clash = EntryPoint(name="openai", value="no_such_module_xyz:factory", group=ENTRY_POINT_GROUP)

    def fake_entry_points(group):
        seen.append(group)
        return [good, broken, clash]

    fake_model = FakeChatModel(answers=["hi"])
    monkeypatch.setattr(registry, "entry_points", fake_entry_points)
    monkeypatch.setattr(EntryPoint, "load", lambda self: (lambda s: fake_model) if self.name == "myplugin"
                        else (_ for _ in ()).throw(ImportError(f"no module for {self.name}")))
    assert available_providers() == ["myplugin", "openai"]
    assert seen == [ENTRY_POINT_GROUP]
    assert create_chat_model(LLMSettings(provider="myplugin")) is fake_model
    assert "ImportError" in plugin_errors()["broken"]
    with pytest.raises(ConfigError, match="'broken' .*failed to load"):
        create_chat_model(LLMSettings(provider="broken"))


def test_unknown_provider_is_a_config_error_listing_the_available_ones():
    with pytest.raises(ConfigError, match="unknown LLM provider 'nope'") as err:
        create_chat_model(LLMSettings(provider="nope"))
    assert "openai" in err.value.hint


def test_install_fake_registers_the_fake_like_any_provider():
    fake = install_fake(["x"])
    try:
        assert "fake" in available_providers()
        assert create_chat_model(LLMSettings(provider="fake")) is fake
    finally:
        unregister_chat_provider("fake")
    assert "fake" not in available_providers()


def test_bad_registrations_are_refused():
    with pytest.raises(ConfigError):
        register_chat_provider(" padded ", lambda s: None)
    with pytest.raises(ConfigError):
        register_chat_provider("x", "not callable")  # type: ignore[arg-type]
