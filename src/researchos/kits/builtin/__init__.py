"""The built-in kits. They are registered through the ``researchos.kits`` entry points in
ResearchOS's own pyproject.toml, exactly like a third-party plugin."""
