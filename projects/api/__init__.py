"""REST API for call rounds, proposals, the public catalogue and expressions of interest: parse,
load through a selector, call one service."""
