"""``causal-assistant project`` and ``causal-assistant data``: projects and their datasets."""

from __future__ import annotations

from pathlib import Path

import click

from assistant.cli.context import AppContext, pass_app
from assistant.cli.render import FORMAT_OPTION, emit, table
from assistant.errors import InputError, Location


@click.group()
def project() -> None:
    """Create and list projects."""


@project.command("create")
@click.argument("name")
@click.option("--description", default="", help="What the project is about.")
@FORMAT_OPTION
@pass_app
def project_create(app: AppContext, name: str, description: str, output_format: str) -> None:
    """Create a project."""
    info = app.store().create_project(name, description=description, author=app.author)
    emit(info, output_format, lambda p: f"created project {p.name!r}")


@project.command("list")
@FORMAT_OPTION
@pass_app
def project_list(app: AppContext, output_format: str) -> None:
    """List projects."""
    projects = app.store().list_projects()
    emit(projects, output_format, lambda ps: table(
        [[p.name, p.created_by, p.created_at.strftime("%Y-%m-%d %H:%M"), p.description] for p in ps],
        ["project", "created by", "created", "description"]) if ps else "no projects yet")


@project.command("show")
@click.argument("name")
@FORMAT_OPTION
@pass_app
def project_show(app: AppContext, name: str, output_format: str) -> None:
    """Show a project with its graphs and datasets."""
    store = app.store()
    info = store.get_project(name)
    graphs = store.list_graphs(name)
    datasets = store.list_datasets(name)
    payload = {"project": info, "graphs": graphs, "datasets": datasets}

    def text(_):
        lines = [f"project {info.name!r}: {info.description}".rstrip(": "), "", "graphs:"]
        lines += [f"  {g.name}  (v{g.head}, {g.head_status})" for g in graphs] or ["  (none)"]
        lines += ["", "datasets:"]
        lines += [f"  {d.name}  ({d.profile.n_rows} rows, {len(d.profile.columns)} columns)" for d in datasets] or [
            "  (none)"]
        return "\n".join(lines)

    emit(payload, output_format, text)


@click.group()
def data() -> None:
    """Add and inspect datasets."""


def _read_bytes(path: Path) -> bytes:
    """The data file's bytes, read up to the upload limit (a pipe or device too: it is never read whole)."""
    from assistant.intake.limits import read_data_file

    return read_data_file(path)


def _profile_text(profile) -> str:
    rows = [[c.name, c.inferred_type, f"{c.n_missing} ({c.missing_fraction:.0%})", c.cardinality,
             ", ".join(c.examples[:3])] for c in profile.columns]
    head = f"{profile.file_name}: {profile.n_rows} rows, {len(profile.columns)} columns (sha256 {profile.content_hash[:12]})"
    return head + "\n" + table(rows, ["column", "type", "missing", "distinct", "examples"])


@data.command("profile")
@click.argument("csv_file", type=click.Path(dir_okay=False, path_type=Path))
@FORMAT_OPTION
def data_profile(csv_file: Path, output_format: str) -> None:
    """Profile a CSV file without storing it."""
    from assistant.intake import profile_csv

    _frame, profile = profile_csv(_read_bytes(csv_file), file_name=str(csv_file))
    emit(profile, output_format, _profile_text)


@data.command("add")
@click.argument("csv_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--project", required=True, help="Project to add the dataset to.")
@click.option("--name", default=None,
              help="Dataset name (default: the file's stem; required when reading a pipe or device).")
@FORMAT_OPTION
@pass_app
def data_add(app: AppContext, csv_file: Path, project: str, name: str | None, output_format: str) -> None:
    """Profile a CSV and store it (with its content hash) in a project."""
    from assistant.intake import profile_csv
    from assistant.intake.limits import is_regular_file

    regular = is_regular_file(csv_file)
    if not regular and name is None and csv_file.exists() and not csv_file.is_dir():
        # A pipe (<(cmd) is /dev/fd/63) or a device has no name worth keeping: "63" is not a dataset name.
        raise InputError("the data come from a pipe or device, not a file, so they have no name to take",
                         location=Location(file=str(csv_file)), hint="name the dataset: --name NAME")
    content = _read_bytes(csv_file)
    _frame, profile = profile_csv(content, file_name=csv_file.name if regular else str(csv_file))
    if not regular:  # the dataset is known by its name, not by a pipe's /dev/fd/63
        profile = profile.model_copy(update={"file_name": name})
    info = app.store().add_dataset(project, name or csv_file.stem, content=content, profile=profile,
                                   author=app.author, file_name=csv_file.name if regular else name or "")
    emit(info, output_format, lambda d: f"added dataset {d.name!r} to {project!r}\n" + _profile_text(d.profile))


@data.command("list")
@click.option("--project", required=True)
@FORMAT_OPTION
@pass_app
def data_list(app: AppContext, project: str, output_format: str) -> None:
    """List a project's datasets."""
    items = app.store().list_datasets(project)
    emit(items, output_format, lambda ds: table(
        [[d.name, d.file_name, d.profile.n_rows, len(d.profile.columns), d.content_hash[:12]] for d in ds],
        ["dataset", "file", "rows", "columns", "sha256"]) if ds else "no datasets yet")


@data.command("show")
@click.argument("name")
@click.option("--project", required=True)
@FORMAT_OPTION
@pass_app
def data_show(app: AppContext, name: str, project: str, output_format: str) -> None:
    """Show a stored dataset's profile."""
    info = app.store().get_dataset(project, name)
    emit(info, output_format, lambda d: _profile_text(d.profile))
