"""Projects and datasets on both backends."""

from __future__ import annotations

import hashlib

import pytest

from assistant.errors import InputError, NotFoundError
from assistant.model import ColumnProfile, DatasetProfile
from assistant.store import AlreadyExistsError

CSV = b"airplay,sales\n3,10\n5,14\n"


def profile(**extra) -> DatasetProfile:
    return DatasetProfile(n_rows=2, columns=[
        ColumnProfile(name="airplay", inferred_type="integer", n_missing=0, missing_fraction=0.0, cardinality=2),
        ColumnProfile(name="sales", inferred_type="integer", n_missing=0, missing_fraction=0.0, cardinality=2),
    ], **extra)


def test_projects_are_listed_by_name(store):
    store.create_project("zeta", author="ana")
    created = store.create_project("alpha", description="first", author="ben")
    assert [p.name for p in store.list_projects()] == ["alpha", "zeta"]
    assert store.get_project("alpha") == created
    assert created.created_at.tzinfo is not None and created.created_by == "ben"


def test_project_names_are_free_text(store):
    store.create_project("Ventes 2024 — ☆", author="ana")
    assert store.get_project("Ventes 2024 — ☆").name == "Ventes 2024 — ☆"


def test_duplicate_project_is_an_input_error(store):
    store.create_project("sales", author="ana")
    with pytest.raises(AlreadyExistsError, match="a project named 'sales' already exists") as info:
        store.create_project("sales", author="ben")
    assert isinstance(info.value, InputError)
    assert info.value.exit_code == 1
    assert len(store.list_projects()) == 1


@pytest.mark.parametrize("name", ["", "   ", " padded", "tab\there", "x" * 201])
def test_bad_project_names_are_refused(store, name):
    with pytest.raises(InputError, match="project name"):
        store.create_project(name, author="ana")
    assert store.list_projects() == []


def test_unknown_project_lists_the_known_ones(store):
    store.create_project("sales", author="ana")
    with pytest.raises(NotFoundError, match="no project named 'sails'") as info:
        store.get_project("sails")
    assert "'sales'" in info.value.hint


def test_dataset_content_and_hash_round_trip(store, project):
    info = store.add_dataset(project, "records", content=CSV, profile=profile(), author="ana", file_name="r.csv")
    digest = hashlib.sha256(CSV).hexdigest()
    assert (info.content_hash, info.size_bytes, info.file_name) == (digest, len(CSV), "r.csv")
    assert info.profile.content_hash == digest and info.profile.file_name == "r.csv"
    assert store.dataset_content(project, "records") == CSV
    assert store.get_dataset(project, "records") == info
    assert store.list_datasets(project) == [info]


def test_binary_dataset_content_is_kept_byte_for_byte(store, project):
    content = bytes(range(256)) * 4
    store.add_dataset(project, "bin", content=content, profile=profile(), author="ana")
    assert store.dataset_content(project, "bin") == content


def test_dataset_file_name_defaults_to_the_profiles(store, project):
    info = store.add_dataset(project, "d", content=CSV, profile=profile(file_name="from_profile.csv"), author="a")
    assert info.file_name == "from_profile.csv"


def test_profile_of_other_content_is_refused(store, project):
    with pytest.raises(InputError, match="computed from other content"):
        store.add_dataset(project, "d", content=CSV, profile=profile(content_hash="0" * 64), author="ana")
    assert store.list_datasets(project) == []


def test_duplicate_dataset_name_in_a_project_is_refused_but_fine_in_another(store, project):
    store.add_dataset(project, "d", content=CSV, profile=profile(), author="ana")
    with pytest.raises(AlreadyExistsError, match="already has a dataset named 'd'"):
        store.add_dataset(project, "d", content=b"other", profile=profile(), author="ana")
    store.create_project("other", author="ana")
    store.add_dataset("other", "d", content=CSV, profile=profile(), author="ana")
    assert store.dataset_content(project, "d") == CSV


def test_unknown_dataset_is_not_found(store, project):
    with pytest.raises(NotFoundError, match="no dataset named 'nope'"):
        store.dataset_content(project, "nope")
    with pytest.raises(NotFoundError, match="no project named 'nope'"):
        store.list_datasets("nope")
