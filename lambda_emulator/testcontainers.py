"""``lambda_emulator.testcontainers``: the name the Testcontainers module is documented under.

The module itself lives with the other testing aids (``testing/testcontainers.py``); importing
it needs the optional extra: ``pip install 'lambda-emulator[testcontainers]'``.
"""

from lambda_emulator.testing.testcontainers import LambdaEmulatorContainer

__all__ = ["LambdaEmulatorContainer"]
