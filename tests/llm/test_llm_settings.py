"""LLMSettings: environment, config file, precedence, and a key that never shows."""

from __future__ import annotations

import pytest

from assistant.config import Settings
from assistant.errors import ConfigError, LLMNotConfiguredError
from assistant.llm.settings import DEFAULT_MODEL, LLMSettings, strip_credentials

KEY = "sk-test-PLANTED-123"


def test_defaults_are_not_configured():
    s = LLMSettings.load({}, {})
    assert (s.provider, s.model, s.temperature, s.base_url, s.api_key) == ("openai", DEFAULT_MODEL, 0.0, None, None)
    assert not s.configured
    with pytest.raises(LLMNotConfiguredError, match="no LLM endpoint"):
        s.require_configured()


def test_a_base_url_or_a_key_or_another_provider_configures_an_llm():
    assert LLMSettings(base_url="http://localhost:8080/v1").configured
    assert LLMSettings(api_key="k").configured
    assert LLMSettings(provider="fake").configured


def test_environment_variables_are_read():
    env = {"CAUSAL_ASSISTANT_LLM_BASE_URL": "http://h:1/v1", "CAUSAL_ASSISTANT_LLM_API_KEY": KEY,
           "CAUSAL_ASSISTANT_LLM_MODEL": "m", "CAUSAL_ASSISTANT_LLM_PROVIDER": "p",
           "CAUSAL_ASSISTANT_LLM_TEMPERATURE": "0.5", "CAUSAL_ASSISTANT_LLM_TIMEOUT_S": "7",
           "CAUSAL_ASSISTANT_LLM_MAX_RETRIES": "1", "CAUSAL_ASSISTANT_LLM_MAX_TOKENS": "256",
           "CAUSAL_ASSISTANT_LLM_CACHE": "0"}
    s = LLMSettings.load(env, {})
    assert (s.base_url, s.model, s.provider, s.temperature, s.timeout_s, s.max_retries, s.max_tokens, s.cache) == (
        "http://h:1/v1", "m", "p", 0.5, 7.0, 1, 256, False)
    assert s.api_key.get_secret_value() == KEY


def test_generic_openai_variables_are_a_fallback():
    s = LLMSettings.load({"OPENAI_BASE_URL": "http://o/v1", "OPENAI_API_KEY": KEY}, {})
    assert s.base_url == "http://o/v1" and s.api_key.get_secret_value() == KEY


def test_own_environment_beats_the_config_file_which_beats_generic_openai_variables():
    file_values = {"llm": {"base_url": "http://file/v1", "model": "file-model", "api_key": "file-key"}}
    env = {"CAUSAL_ASSISTANT_LLM_MODEL": "env-model", "OPENAI_BASE_URL": "http://generic/v1",
           "OPENAI_API_KEY": "generic-key"}
    s = LLMSettings.load(env, file_values)
    assert s.model == "env-model"
    assert s.base_url == "http://file/v1"           # an explicit config beats a machine-wide OPENAI_* variable
    assert s.api_key.get_secret_value() == "file-key"
    s2 = LLMSettings.load({**env, "CAUSAL_ASSISTANT_LLM_BASE_URL": "http://own/v1"}, file_values)
    assert s2.base_url == "http://own/v1"


def test_config_file_llm_table_is_read_through_settings(tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text('[llm]\nbase_url = "http://cfg:9/v1"\nmodel = "cfg-model"\nmax_tokens = 64\ncache = false\n')
    monkeypatch.setenv("CAUSAL_ASSISTANT_CONFIG", str(config))
    s = LLMSettings.load()
    assert (s.base_url, s.model, s.max_tokens, s.cache) == ("http://cfg:9/v1", "cfg-model", 64, False)
    assert Settings.load().file_values["llm"]["model"] == "cfg-model"


def test_unknown_config_keys_and_bad_values_are_config_errors_that_do_not_echo_values():
    with pytest.raises(ConfigError, match="unknown setting in the config file's \\[llm\\] table: modle"):
        LLMSettings.load({}, {"llm": {"modle": "x"}})
    with pytest.raises(ConfigError, match="temperature .*CAUSAL_ASSISTANT_LLM_TEMPERATURE"):
        LLMSettings.load({"CAUSAL_ASSISTANT_LLM_TEMPERATURE": "hot"}, {})
    with pytest.raises(ConfigError, match="base_url") as err:
        LLMSettings.load({"CAUSAL_ASSISTANT_LLM_BASE_URL": f"ftp://{KEY}@host"}, {})
    assert KEY not in str(err.value)
    with pytest.raises(ConfigError, match="must be text"):
        LLMSettings.load({}, {"llm": {"api_key": 12345}})


def test_the_key_never_appears_in_repr_str_or_json():
    s = LLMSettings(base_url=f"http://user:{KEY}@h/v1?api-key={KEY}", api_key=KEY)
    for text in (repr(s), str(s), s.model_dump_json(), str(s.model_dump()), s.safe_base_url):
        assert KEY not in text
    assert s.safe_base_url == "http://h/v1"
    assert KEY in s.secrets


@pytest.mark.parametrize("url, safe", [
    ("https://api.example.com/v1/", "https://api.example.com/v1"),
    ("http://u:p@[::1]:8080/v1?x=1#f", "http://[::1]:8080/v1"),
    ("http://localhost:11434/v1", "http://localhost:11434/v1"),
])
def test_strip_credentials(url, safe):
    assert strip_credentials(url) == safe


def test_the_default_openai_endpoint_is_named_in_logs():
    assert LLMSettings(api_key="k").safe_base_url == "https://api.openai.com/v1"
