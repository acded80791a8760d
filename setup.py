"""Packaging that pyproject.toml cannot express: the shipped models travel inside the package.

``models/`` stays at the top of the repository (the files a person reads and retrains) and is
installed as the data-only package ``analyser.model_files``, so every kind of install (editable,
``pip install .``, ``pip install git+URL``, a wheel) carries the models and finds them with
``importlib.resources``.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["analyser", "analyser.*"]), "analyser.model_files"],
    package_dir={"analyser.model_files": "models"},
    package_data={"analyser": ["model_manifest.json"],
                  "analyser.model_files": ["*.npz", "*.md", "accurate/*"]},
)
