"""The pure core: bytes and models in, models and strings out.

Nothing in this package imports telegram, httpx, a database driver or reads the clock;
that is what lets every rule be tested on its own and reused by the CLI, the bot and
the benchmarks alike.
"""
