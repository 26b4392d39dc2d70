"""What people mean, as data: vocabularies in YAML files beside this package, loaded once and checked."""
