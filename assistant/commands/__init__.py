"""One module per `ssl-assistant` subcommand, each with `run(args: argparse.Namespace) -> int`."""
