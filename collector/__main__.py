import sys

from collector.cli.parser import main

sys.exit(main())
