"""``causal-assistant``: the command-line entry point.

Exit codes (see :mod:`assistant.errors`): 0 ok, 1 bad input, 2 usage,
3 conflict, 4 database, 5 not identifiable, 6 not found, 7 LLM unusable,
8 the critique found errors.
"""

from __future__ import annotations

import click

from assistant import __version__
from assistant.cli.context import AppContext
from assistant.cli.render import render_error
from assistant.errors import (
    EXIT_INPUT, CausalAssistantError, DataError, GraphValidationError, InputError, Location,
)


def _requested_format(argv: list[str]) -> str:
    for i, arg in enumerate(argv):
        if arg == "--format" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--format="):
            return arg.split("=", 1)[1]
    return "text"


class _Group(click.Group):
    """Renders every :class:`CausalAssistantError` in one place and exits with its code."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["raw_args"] = list(args)
        for i, arg in enumerate(args, start=1):
            # Bytes that are not UTF-8 reach Python as lone surrogates, which no file or database can hold;
            # a NUL cannot come from a shell, only from a caller in Python, and no path or database takes it.
            bad = next((c for c in arg if "\ud800" <= c <= "\udfff" or c == "\x00"), None)
            if bad is not None:
                problem = "contains a NUL character" if bad == "\x00" else "is not valid UTF-8 text"
                render_error(InputError(f"argument {i} ({arg!r}) {problem}",
                                        hint="check the terminal's encoding, or retype the argument"),
                             _requested_format(args))
                ctx.exit(EXIT_INPUT)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except CausalAssistantError as err:
            app = ctx.find_object(AppContext)
            if isinstance(err, GraphValidationError) and err.location is None and app and app.graph_source:
                err.location = Location(file=app.graph_source)  # e.g. a cycle, found after the graph was read
            elif isinstance(err, DataError) and err.location is None and app and app.data_source:
                err.location = Location(file=app.data_source)  # e.g. no column for the exposure
            render_error(err, _requested_format(ctx.meta.get("raw_args", [])))
            ctx.exit(err.exit_code)
        finally:
            app = ctx.find_object(AppContext)
            if app is not None:
                app.close()


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="causal-assistant")
@click.option("--database-url", envvar="DATABASE_URL", default=None,
              help="SQLAlchemy URL of the store (default: SQLite in the per-user data directory).")
@click.option("--user", envvar="CAUSAL_ASSISTANT_USER", default=None, help="Author name recorded on versions.")
@click.pass_context
def cli(ctx: click.Context, database_url: str | None, user: str | None) -> None:
    """LLM-assisted causal graph authoring: the LLM proposes, data and graph theory check, experts decide."""
    ctx.obj = AppContext(database_url=database_url, user=user)


def _register() -> None:
    from assistant.cli import analyze_command
    from assistant.cli import (
        check_command, critique_command, db_commands, demo, graph_commands, llm_commands, project_commands,
        propose_command,
    )

    cli.add_command(db_commands.db)
    cli.add_command(project_commands.project)
    cli.add_command(project_commands.data)
    cli.add_command(graph_commands.graph)
    cli.add_command(check_command.check)
    cli.add_command(check_command.gallery_group)
    cli.add_command(critique_command.critique)
    cli.add_command(critique_command.rules)
    cli.add_command(propose_command.propose)
    cli.add_command(llm_commands.llm)
    cli.add_command(demo.demo)

    from assistant.cli import export_command

    cli.add_command(export_command.export_command)
    cli.add_command(analyze_command.analyze)
    cli.add_command(analyze_command.query)

    from assistant.cli import ui_command

    cli.add_command(ui_command.ui_command)

    from assistant.cli import audit_command, jobs_command

    cli.add_command(audit_command.audit)
    cli.add_command(jobs_command.worker)
    cli.add_command(jobs_command.jobs)


_register()


def main() -> None:
    cli(prog_name="causal-assistant")


if __name__ == "__main__":
    main()
