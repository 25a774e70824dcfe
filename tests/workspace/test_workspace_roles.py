"""Who the user is and what they may do, from the environment, the config file or an OIDC login."""

from __future__ import annotations

import pytest

from assistant.errors import ConfigError
from assistant.workspace.roles import local_identity, oidc_configured, oidc_identity


def test_a_local_user_with_nothing_configured_is_editor_and_reviewer():
    who = local_identity(env={"CAUSAL_ASSISTANT_USER": "ana"}, file_values={})
    assert who.name == "ana" and who.can_edit and who.can_review and who.source == "local"


def test_roles_from_the_environment_win_for_the_local_user():
    who = local_identity(env={"CAUSAL_ASSISTANT_USER": "ana", "CAUSAL_ASSISTANT_ROLES": "editor"},
                         file_values={"users": {"reviewers": ["ana"]}})
    assert who.can_edit and not who.can_review


def test_the_config_file_lists_reviewers_and_optionally_editors():
    table = {"users": {"reviewers": ["Rita"], "editors": ["ana", "rita"]}}
    assert local_identity(env={"CAUSAL_ASSISTANT_USER": "rita"}, file_values=table).can_review
    bo = local_identity(env={"CAUSAL_ASSISTANT_USER": "bo"}, file_values=table)
    assert bo.roles == frozenset()


def test_a_logged_in_user_is_matched_by_name_or_email_and_never_by_the_server_environment():
    table = {"users": {"reviewers": ["rita@example.org"]}}
    rita = oidc_identity({"name": "Rita R", "email": "rita@example.org"}, env={"CAUSAL_ASSISTANT_ROLES": "editor"},
                         file_values=table)
    assert rita.name == "Rita R" and rita.can_review and rita.source == "oidc"
    assert not oidc_identity({"email": "bo@example.org"}, env={}, file_values={}).can_review


def test_unknown_roles_are_a_config_error():
    with pytest.raises(ConfigError, match="admin"):
        local_identity(env={"CAUSAL_ASSISTANT_USER": "a", "CAUSAL_ASSISTANT_ROLES": "admin"}, file_values={})


def test_oidc_is_configured_by_an_auth_table_in_the_secrets():
    assert oidc_configured({"auth": {"client_id": "x"}}) and not oidc_configured({})
