import sys

from lambda_emulator.cli import main

sys.exit(main())
