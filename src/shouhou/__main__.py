import sys

from shouhou.core.cli import main

sys.exit(main())
