import sys

from lambda_emulator.process.cli import main

sys.exit(main())
