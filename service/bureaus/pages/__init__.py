"""The pages of client bureaus, their units and the establishment offices.

A sub-package of its own because a bureau's page lists its agreements and
statements: it sits above those sub-packages, while the bureau records they
build on (``models``, ``directory``, ``actions``) stay in the package itself.
"""
