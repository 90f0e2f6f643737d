from narrate.cli import cli

cli(prog_name="narrate")
