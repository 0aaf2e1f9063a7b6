"""Supervision policy: declarative packs (YAML) and the pure engine that reads them."""
